package booking

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medisecure/core"
)

// errWhen is returned when a typed time cannot be read.
var errWhen = errors.New("type a time like 9:30, 14:00, tomorrow 14:00, mon 9:00, 2026-12-01 10:15 or +1w")

// parseWhen reads a start time typed at the desk, relative to now in the
// clinic's zone:
//
//	9:30, 14:00, 9am, 2:30pm  today at that time
//	tomorrow 14:00            (also tom, tmr, today)
//	mon 9:00                  the next Monday after today (full names too)
//	2026-12-01 10:15          that day
//	+1w, +3d, +2h, +30m       that long from now, rounded up to 5 minutes
//	+1w 9:00                  that many days or weeks from today, at 9:00
//
// A day and a time may come in either order.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	now = now.In(loc)
	words := strings.Fields(strings.ToLower(s))
	switch {
	case len(words) == 0 || len(words) > 2:
		return time.Time{}, errWhen
	case strings.HasPrefix(words[0], "+"):
		return parseRelative(words, now)
	case len(words) == 1:
		if _, err := dayOf(words[0], now); err == nil {
			return time.Time{}, fmt.Errorf("add a time of day, like %s 9:30", words[0])
		}
		return atClock(now, words[0])
	}
	day, err := dayOf(words[0], now)
	clock := words[1]
	if err != nil {
		if day, err = dayOf(words[1], now); err != nil {
			return time.Time{}, errWhen
		}
		clock = words[0]
	}
	return atClock(day, clock)
}

// parseRelative reads "+1w", "+3d", "+2h", "+30m", and "+1w 9:00".
func parseRelative(words []string, now time.Time) (time.Time, error) {
	w := words[0][1:]
	if len(w) < 2 {
		return time.Time{}, errWhen
	}
	n, err := strconv.Atoi(w[:len(w)-1])
	if err != nil || n < 0 || n > 3660 {
		return time.Time{}, errWhen
	}
	unit := w[len(w)-1]
	days := map[byte]int{'d': n, 'w': 7 * n}
	if d, ok := days[unit]; ok {
		if len(words) == 2 {
			return atClock(now.AddDate(0, 0, d), words[1])
		}
		return roundUp(now.AddDate(0, 0, d)), nil
	}
	if len(words) == 2 {
		return time.Time{}, errWhen
	}
	switch unit {
	case 'h':
		return roundUp(now.Add(time.Duration(n) * time.Hour)), nil
	case 'm':
		return roundUp(now.Add(time.Duration(n) * time.Minute)), nil
	}
	return time.Time{}, errWhen
}

// roundUp moves t up to the next whole five minutes.
func roundUp(t time.Time) time.Time {
	r := t.Truncate(time.Minute)
	if r.Before(t) {
		r = r.Add(time.Minute)
	}
	if m := r.Minute() % 5; m != 0 {
		r = r.Add(time.Duration(5-m) * time.Minute)
	}
	return r
}

// weekdays maps the names of days, short and long, to time.Weekday.
var weekdays = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		m[name], m[name[:3]] = d, d
	}
	m["tue"], m["tues"], m["thu"], m["thur"], m["thurs"] = time.Tuesday, time.Tuesday, time.Thursday, time.Thursday, time.Thursday
	return m
}()

// dayOf reads a day word relative to now: today, tomorrow, a weekday or a
// date. The result is midnight of that day in now's zone.
func dayOf(w string, now time.Time) (time.Time, error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch w {
	case "today", "tod":
		return today, nil
	case "tomorrow", "tom", "tmr", "tmrw":
		return today.AddDate(0, 0, 1), nil
	}
	if wd, ok := weekdays[w]; ok {
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return today.AddDate(0, 0, ahead), nil
	}
	if d, err := core.ParseDate(w); err == nil {
		return d.Time(now.Location())
	}
	return time.Time{}, errWhen
}

// atClock reads a time of day ("9:30", "14", "930", "9.30", "2:30pm") on
// the day of t.
func atClock(t time.Time, w string) (time.Time, error) {
	pm, am := strings.HasSuffix(w, "pm"), strings.HasSuffix(w, "am")
	if pm || am {
		w = w[:len(w)-2]
	}
	h, m, err := splitClock(w)
	if err != nil {
		return time.Time{}, err
	}
	if pm || am {
		if h < 1 || h > 12 {
			return time.Time{}, fmt.Errorf("%d is not an hour on a 12-hour clock", h)
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if h > 23 || m > 59 {
		return time.Time{}, fmt.Errorf("there is no %02d:%02d in a day", h, m)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), h, m, 0, 0, t.Location()), nil
}

// splitClock reads hours and minutes from "9:30", "9.30", "930", "14".
func splitClock(w string) (int, int, error) {
	hs, ms, ok := strings.Cut(strings.ReplaceAll(w, ".", ":"), ":")
	if !ok {
		switch len(w) {
		case 1, 2:
			hs, ms = w, "0"
		case 3, 4:
			hs, ms = w[:len(w)-2], w[len(w)-2:]
		default:
			return 0, 0, errWhen
		}
	} else if len(ms) != 2 {
		return 0, 0, errWhen
	}
	if hs == "" || strings.Trim(hs+ms, "0123456789") != "" {
		return 0, 0, errWhen
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil {
		return 0, 0, errWhen
	}
	return h, m, nil
}
