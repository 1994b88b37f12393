package store

import (
	"fmt"
	"sort"
	"time"

	"medisecure/core"
)

// AddReminder sets medication reminders at times of day (HH:MM) for the
// first drug of a prescription, from today to the prescription's end.
func (s *Session) AddReminder(rx core.ID, times []string) (core.Reminder, error) {
	var r core.Reminder
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindReminder); err != nil {
			return err
		}
		var p core.Prescription
		if err := t.get(rx, &p); err != nil {
			return err
		}
		if p.Status != core.PrescriptionActive {
			return fmt.Errorf("%w: it is %s", core.ErrNotActive, p.Status)
		}
		sorted := append([]string(nil), times...)
		sort.Strings(sorted)
		today := core.DateOf(t.now, s.db.zone)
		r = core.Reminder{PatientID: p.PatientID, PrescriptionID: p.ID, Drug: p.Medications[0].Drug, Times: sorted,
			StartDate: today, Channel: core.ChannelInApp, Active: true}
		if p.EndDate >= today {
			r.EndDate = p.EndDate
		}
		return t.create(&r)
	})
	return r, err
}

// The outcomes of a dose a nurse records.
const (
	DoseTaken  = "taken"
	DoseMissed = "missed"
	DoseLate   = "late"
)

// RecordAdherence records whether the reminder's latest dose due by now
// was taken, missed or taken late; the event is append-only.
func (s *Session) RecordAdherence(reminder core.ID, outcome string) (core.Adherence, error) {
	var a core.Adherence
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindAdherence); err != nil {
			return err
		}
		if outcome != DoseTaken && outcome != DoseMissed && outcome != DoseLate {
			return fmt.Errorf("%w: the dose was taken, missed or late, not %q", core.ErrInvalid, outcome)
		}
		var r core.Reminder
		if err := t.get(reminder, &r); err != nil {
			return err
		}
		a = core.Adherence{ReminderID: r.ID, PatientID: r.PatientID, Due: lastDue(r.Times, t.now, s.db.zone),
			Taken: outcome != DoseMissed, RecordedAt: t.now, RecordedBy: s.user.Name}
		if outcome == DoseLate {
			a.Note = "taken late"
		}
		return t.create(&a)
	})
	return a, err
}

// lastDue is the latest of the times of day at or before now, in the
// clinic's zone; before the first dose of the day, the last of yesterday.
func lastDue(times []string, now time.Time, zone *time.Location) time.Time {
	local := now.In(zone)
	var best time.Time
	for back := 0; back < 2 && best.IsZero(); back++ {
		day := local.AddDate(0, 0, -back)
		for _, hm := range times {
			var h, m int
			fmt.Sscanf(hm, "%d:%d", &h, &m)
			at := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, zone)
			if !at.After(local) && at.After(best) {
				best = at
			}
		}
	}
	if best.IsZero() {
		best = local
	}
	return best.UTC()
}
