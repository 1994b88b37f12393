package core

import (
	"fmt"
	"time"
)

// Date is a calendar day with no time of day or zone, such as a date of
// birth, written YYYY-MM-DD.
type Date string

// dateLayout is how a Date is written.
const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD (single-digit month and day allowed).
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{dateLayout, "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date(t.Format(dateLayout)), nil
		}
	}
	return "", fmt.Errorf("core: %q is not a date like 1984-03-27", s)
}

// DateOf is the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	return Date(t.In(loc).Format(dateLayout))
}

// Time is midnight at the start of the day in loc.
func (d Date) Time(loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(dateLayout, string(d), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("core: %q is not a date like 1984-03-27", string(d))
	}
	return t, nil
}

// AddDays returns the day n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return d
	}
	return Date(t.AddDate(0, 0, n).Format(dateLayout))
}

// valid reports whether d is a well-formed date.
func (d Date) valid() bool {
	_, err := time.Parse(dateLayout, string(d))
	return err == nil
}
