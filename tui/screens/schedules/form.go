package schedules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"medisecure/core"
)

// days are the form's weekdays, Monday first, as time.Weekday indexes.
var days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// The rows after the weekdays.
const (
	rowSlot  = 7
	rowRooms = 8
	rows     = 9
)

// spansText is a day's hours as typed: "08:00-12:00, 13:00-17:00".
func spansText(spans []core.Span) string {
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = sp.String()
	}
	return strings.Join(parts, ", ")
}

// parseSpans reads a day's hours; empty is a day off.
func parseSpans(day time.Weekday, text string) ([]core.Span, error) {
	var out []core.Span
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' }) {
		sp, err := core.ParseSpan(strings.ReplaceAll(strings.TrimSpace(part), " ", ""))
		if err != nil {
			return nil, fmt.Errorf("%s: hours like 08:00-12:00, 13:00-17:00, or empty for a day off", day)
		}
		out = append(out, sp)
	}
	return out, nil
}

// fill puts a schedule into the fields.
func (s *Screen) fill(sc core.Schedule) {
	for i, d := range days {
		s.inputs[i].SetValue(spansText(sc.Hours[d]))
	}
	slot := sc.SlotMinutes
	if slot == 0 {
		slot = 15
	}
	s.inputs[rowSlot].SetValue(strconv.Itoa(slot))
	s.inputs[rowRooms].SetValue(strings.Join(sc.Rooms, ", "))
}

// schedule is the schedule the form describes, or what is wrong with it.
func (s *Screen) schedule() (core.Schedule, error) {
	sc := s.was
	sc.Doctor = s.doctor()
	for i, d := range days {
		spans, err := parseSpans(d, s.inputs[i].Value())
		if err != nil {
			return sc, err
		}
		sc.Hours[d] = spans
	}
	slot, err := strconv.Atoi(strings.TrimSpace(s.inputs[rowSlot].Value()))
	if err != nil {
		return sc, fmt.Errorf("slot length: type minutes, like 15")
	}
	sc.SlotMinutes = slot
	sc.Rooms = nil
	for _, r := range strings.Split(s.inputs[rowRooms].Value(), ",") {
		if r = strings.TrimSpace(r); r != "" {
			sc.Rooms = append(sc.Rooms, r)
		}
	}
	return sc, sc.Validate()
}

// labels name the rows.
func label(row int) string {
	switch {
	case row < rowSlot:
		return days[row].String()
	case row == rowSlot:
		return "Slot minutes"
	}
	return "Rooms"
}

// hints are the fields' placeholders.
func hint(row int) string {
	switch {
	case row < rowSlot:
		return "off"
	case row == rowSlot:
		return "15"
	}
	return "Room 1, Room 2"
}

// errText says what is wrong with the form in a sentence.
func (s *Screen) errText(err error) string { return s.S.Describe(err) }
