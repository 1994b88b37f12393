package core

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Span is a stretch of a working day in minutes after midnight, [Start, End).
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// ParseSpan reads "09:00-12:30".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("core: %q is not hours like 09:00-12:30", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil || end <= start {
		return Span{}, fmt.Errorf("core: %q is not hours like 09:00-12:30", s)
	}
	return Span{Start: start, End: end}, nil
}

// parseClock reads "9:30" or "09:30" as minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("core: %q is not a time like 09:30", s)
	}
	return hh*60 + mm, nil
}

// String renders "09:00-12:30".
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

// Schedule is a doctor's standing week: working hours per weekday (index 0 is
// Sunday, as time.Weekday), the default slot length and the rooms they use.
type Schedule struct {
	Meta
	Doctor      string    `json:"doctor"`
	Hours       [7][]Span `json:"hours"`
	SlotMinutes int       `json:"slot_minutes"`
	Rooms       []string  `json:"rooms"`
}

func init() { register(KindSchedule, func() Entity { return &Schedule{} }) }

// Kind is KindSchedule.
func (*Schedule) Kind() Kind { return KindSchedule }

// Validate checks every field and lists all that are wrong.
func (s *Schedule) Validate() error {
	c := &checker{kind: KindSchedule}
	c.require("doctor", s.Doctor)
	if s.SlotMinutes < 5 || s.SlotMinutes > 240 {
		c.add("slot_minutes", "must be between 5 and 240")
	}
	for d, spans := range s.Hours {
		sorted := append([]Span(nil), spans...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
		for i, sp := range sorted {
			if sp.Start < 0 || sp.End > 24*60 || sp.End <= sp.Start {
				c.add("hours", fmt.Sprintf("on %s has an empty or impossible span %s", time.Weekday(d), sp))
			} else if i > 0 && sp.Start < sorted[i-1].End {
				c.add("hours", fmt.Sprintf("on %s has overlapping spans", time.Weekday(d)))
			}
		}
	}
	c.freeText(s)
	return c.err()
}

// Covers reports whether [start, end) lies inside one working span of the
// day it starts on, in the clinic's zone.
func (s *Schedule) Covers(start, end time.Time, loc *time.Location) bool {
	ls, le := start.In(loc), end.In(loc)
	day := time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, loc)
	for _, sp := range s.Hours[ls.Weekday()] {
		if !ls.Before(atMinute(day, sp.Start)) && !le.After(atMinute(day, sp.End)) {
			return true
		}
	}
	return false
}

// atMinute is the wall time min minutes after midnight on day, correct across
// daylight-saving changes.
func atMinute(day time.Time, min int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), min/60, min%60, 0, 0, day.Location())
}

// Slot is the part of an appointment that scheduling rules look at.
type Slot struct {
	ID         ID
	Doctor     string
	Room       string
	PatientID  ID
	Start, End time.Time
	// Holds is false for cancelled and no-show appointments, which free it.
	Holds bool
}

// overlaps reports whether two slots share any instant.
func (s Slot) overlaps(o Slot) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// Clash is one way a slot collides with an existing appointment.
type Clash struct {
	With ID
	// On is what both appointments need at once: "doctor", "room" or "patient".
	On string
}

// Clashes lists how s collides with the held appointments among others: the
// same doctor, room or patient at overlapping times. An appointment never
// clashes with itself (same ID), so a move can be checked against the day
// that still holds it. An appointment listed more than once (under its
// doctor and under its room, say) is reported once, for the first listing.
func Clashes(s Slot, others []Slot) []Clash {
	var out []Clash
	seen := map[ID]bool{}
	for _, o := range others {
		if !o.Holds || o.ID == s.ID || seen[o.ID] || !s.overlaps(o) {
			continue
		}
		seen[o.ID] = true
		switch {
		case o.Doctor == s.Doctor:
			out = append(out, Clash{With: o.ID, On: "doctor"})
		case s.Room != "" && o.Room == s.Room:
			out = append(out, Clash{With: o.ID, On: "room"})
		case s.PatientID != "" && o.PatientID == s.PatientID:
			out = append(out, Clash{With: o.ID, On: "patient"})
		}
	}
	return out
}

// NextFree finds the first start at or after from, on a slot boundary of the
// doctor's working hours, where an appointment of the given length fits the
// hours and clashes with nothing held. busy returns the appointments that
// could clash on a day (the doctor's, the room's and the patient's). It looks
// ahead at most days days and reports false when nothing is free.
func NextFree(s *Schedule, want Slot, from time.Time, loc *time.Location, days int, busy func(Date) []Slot) (time.Time, bool) {
	length := want.End.Sub(want.Start)
	step := time.Duration(s.SlotMinutes) * time.Minute
	if step <= 0 || length <= 0 {
		return time.Time{}, false
	}
	lf := from.In(loc)
	first := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < days; i++ {
		day := first.AddDate(0, 0, i)
		spans := s.Hours[day.Weekday()]
		if len(spans) == 0 {
			continue
		}
		taken := busy(DateOf(day, loc))
		for _, sp := range spans {
			end := atMinute(day, sp.End)
			for t := atMinute(day, sp.Start); !t.Add(length).After(end); t = t.Add(step) {
				if t.Before(from) {
					continue
				}
				cand := want
				cand.Start, cand.End = t, t.Add(length)
				if len(Clashes(cand, taken)) == 0 {
					return t.UTC(), true
				}
			}
		}
	}
	return time.Time{}, false
}

// ErrClash is returned (wrapped in a *ClashError) when an appointment would
// double-book a doctor, a room or a patient, or falls outside working hours.
var ErrClash = NewError(ClassConflict, "core: scheduling conflict")

// ClashError says what a booking collides with and offers the next free slot.
type ClashError struct {
	Clashes []Clash
	// OutsideHours is set when the time is outside the doctor's hours.
	OutsideHours bool
	// Next is the next free start for the same doctor, length and room, when
	// HasNext is set.
	Next    time.Time
	HasNext bool
	// SearchedDays is how many days were searched for a free slot when
	// none was found; 0 when none was searched.
	SearchedDays int
}

// Error names the clash; the caller adds the next free slot in its own zone.
func (e *ClashError) Error() string {
	var what []string
	if e.OutsideHours {
		what = append(what, "outside the doctor's working hours")
	}
	for _, c := range e.Clashes {
		what = append(what, fmt.Sprintf("the %s is already booked (appointment %s)", c.On, c.With.Short()))
	}
	return "core: " + strings.Join(what, "; ")
}

// Unwrap lets errors.Is(err, ErrClash) match.
func (e *ClashError) Unwrap() error { return ErrClash }

// SearchFrom is where the search for a next free slot starts: the wanted
// start, or now when that has already passed, so a clash never offers a
// slot in the past.
func SearchFrom(start, now time.Time) time.Time {
	if start.Before(now) {
		return now
	}
	return start
}

// CheckNotPast refuses to book or move an appointment to a start before now,
// with a *ValidationError on start.
func CheckNotPast(a *Appointment, now time.Time) error {
	if a.Start.Before(now) {
		return &ValidationError{Kind: KindAppointment, Fields: []FieldError{{Field: "start", Message: "is in the past"}}}
	}
	return nil
}
