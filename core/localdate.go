package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateOrder is how a clinic's locale writes a calendar day besides ISO
// (1984-03-27, which is always accepted).
type DateOrder int

// The date orders.
const (
	// OrderISO accepts only ISO dates: the order is not settled where the
	// clinic is (UTC, Canada), so a typed 03/04/1984 would be a guess.
	OrderISO DateOrder = iota
	// OrderDayMonth reads 27.03.1984, 27/03/1984 or 27-03-1984.
	OrderDayMonth
	// OrderMonthDay reads 03/27/1984 (the United States).
	OrderMonthDay
	// OrderYearMonth reads 1984/03/27 and 1984.03.27 (China, Japan, Korea,
	// Taiwan).
	OrderYearMonth
)

// dateOrders is the one table from the clinic's IANA zone to its date
// order: the first row whose zone is the clinic's, or whose area ("Europe/")
// begins it, decides; a zone no row names reads ISO only. Exact zones come
// before the areas that hold them.
var dateOrders = []struct {
	zone  string
	order DateOrder
}{
	{"America/New_York", OrderMonthDay}, {"America/Chicago", OrderMonthDay},
	{"America/Denver", OrderMonthDay}, {"America/Phoenix", OrderMonthDay},
	{"America/Los_Angeles", OrderMonthDay}, {"America/Anchorage", OrderMonthDay},
	{"America/Detroit", OrderMonthDay}, {"America/Boise", OrderMonthDay},
	{"America/Indiana/", OrderMonthDay}, {"America/Kentucky/", OrderMonthDay},
	{"America/North_Dakota/", OrderMonthDay}, {"Pacific/Honolulu", OrderMonthDay},
	{"America/Toronto", OrderISO}, {"America/Vancouver", OrderISO}, {"America/Edmonton", OrderISO},
	{"America/Winnipeg", OrderISO}, {"America/Halifax", OrderISO}, {"America/St_Johns", OrderISO},
	{"America/Regina", OrderISO}, {"America/Montreal", OrderISO},
	{"Asia/Shanghai", OrderYearMonth}, {"Asia/Tokyo", OrderYearMonth}, {"Asia/Seoul", OrderYearMonth},
	{"Asia/Taipei", OrderYearMonth}, {"Asia/Pyongyang", OrderYearMonth},
	{"Europe/", OrderDayMonth}, {"Africa/", OrderDayMonth}, {"America/", OrderDayMonth},
	{"Asia/", OrderDayMonth}, {"Atlantic/", OrderDayMonth}, {"Australia/", OrderDayMonth},
	{"Indian/", OrderDayMonth}, {"Pacific/", OrderDayMonth},
}

// DateOrderOf is the date order of a clinic in zone, from the dateOrders
// table.
func DateOrderOf(zone *time.Location) DateOrder {
	if zone == nil {
		return OrderISO
	}
	name := zone.String()
	for _, row := range dateOrders {
		if name == row.zone || strings.HasSuffix(row.zone, "/") && strings.HasPrefix(name, row.zone) {
			return row.order
		}
	}
	return OrderISO
}

// Example is 1984-03-27 written in the order, for hints and messages.
func (o DateOrder) Example() string {
	switch o {
	case OrderDayMonth:
		return "27.03.1984"
	case OrderMonthDay:
		return "03/27/1984"
	case OrderYearMonth:
		return "1984/03/27"
	}
	return "1984-03-27"
}

// DateExample is how the clinic in zone is told to type a date: its own
// form beside ISO ("27.03.1984 or 1984-03-27"), or ISO alone.
func DateExample(zone *time.Location) string {
	if o := DateOrderOf(zone); o != OrderISO {
		return o.Example() + " or 1984-03-27"
	}
	return "1984-03-27"
}

// ParseDateIn reads a calendar day typed at a clinic in zone: ISO
// (YYYY-MM-DD) always, and the clinic's own form (DateOrderOf): 27.03.1984
// in Berlin, 03/27/1984 in New York. Day and month may have one digit; the
// year has four, so no century is guessed. Separators ".", "/" and "-" are
// all accepted in the local form.
func ParseDateIn(s string, zone *time.Location) (Date, error) {
	s = strings.TrimSpace(s)
	if d, err := ParseDate(s); err == nil {
		return d, nil
	}
	order := DateOrderOf(zone)
	if d, ok := parseLocalDate(s, order); ok {
		return d, nil
	}
	return "", fmt.Errorf("core: %q is not a date like %s", s, DateExample(zone))
}

// parseLocalDate reads s in the order o.
func parseLocalDate(s string, o DateOrder) (Date, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '/' || r == '-' })
	if len(parts) != 3 {
		return "", false
	}
	var y, m, d string
	switch o {
	case OrderDayMonth:
		d, m, y = parts[0], parts[1], parts[2]
	case OrderMonthDay:
		m, d, y = parts[0], parts[1], parts[2]
	case OrderYearMonth:
		y, m, d = parts[0], parts[1], parts[2]
	default:
		return "", false
	}
	if len(y) != 4 || len(m) > 2 || len(d) > 2 || !separatedOnce(s) {
		return "", false
	}
	yy, e1 := strconv.Atoi(y)
	mm, e2 := strconv.Atoi(m)
	dd, e3 := strconv.Atoi(d)
	if e1 != nil || e2 != nil || e3 != nil {
		return "", false
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Year() != yy || int(t.Month()) != mm || t.Day() != dd {
		return "", false // 31.02.1984 does not roll over into March
	}
	return Date(t.Format(dateLayout)), true
}

// separatedOnce reports whether s uses one separator between its three
// parts, with no empty part: "27.03.1984", not "27..03.1984" or "27.03/1984".
func separatedOnce(s string) bool {
	sep := rune(0)
	n := 0
	prevSep := true
	for _, r := range s {
		switch {
		case r == '.' || r == '/' || r == '-':
			if prevSep || (sep != 0 && r != sep) {
				return false
			}
			sep, prevSep = r, true
			n++
		case r >= '0' && r <= '9':
			prevSep = false
		default:
			return false
		}
	}
	return n == 2 && !prevSep
}
