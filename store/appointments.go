package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"medisecure/core"
)

// lookAheadDays is how far the next free slot is searched for.
const lookAheadDays = 60

// ErrNoSchedule is returned when booking a doctor who has no working hours.
var ErrNoSchedule = core.NewError(core.ClassValidation, "store: doctor has no schedule")

// checkSlot returns nil when a booking fits the doctor's hours and clashes
// with nothing, or a *core.ClashError offering the next free slot.
func (t *txn) checkSlot(a *core.Appointment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	u, err := t.s.lookupUser(t.tx, a.Doctor)
	if err != nil || u.Role != core.RoleDoctor {
		return &core.ValidationError{Kind: core.KindAppointment, Fields: []core.FieldError{{Field: "doctor", Message: fmt.Sprintf("%q is not a doctor here", a.Doctor)}}}
	}
	if live, err := t.live(core.KindPatient, a.PatientID); err != nil || !live {
		return &core.ValidationError{Kind: core.KindAppointment, Fields: []core.FieldError{{Field: "patient", Message: fmt.Sprintf("%s is not a registered patient", a.PatientID)}}}
	}
	sched, err := t.scheduleOf(a.Doctor)
	if err != nil {
		return fmt.Errorf("%w: %s has no working hours set", ErrNoSchedule, a.Doctor)
	}
	zone := t.s.db.zone
	want := a.Slot()
	clash := &core.ClashError{
		OutsideHours: !sched.Covers(a.Start, a.End(), zone),
		Clashes:      core.Clashes(want, t.contenders(want, core.DateOf(a.Start, zone))),
	}
	if !clash.OutsideHours && len(clash.Clashes) == 0 {
		return nil
	}
	from := core.SearchFrom(a.Start, t.now)
	clash.Next, clash.HasNext = core.NextFree(sched, want, from, zone, lookAheadDays, func(d core.Date) []core.Slot {
		return t.busy(want, d)
	})
	if !clash.HasNext {
		clash.SearchedDays = lookAheadDays
	}
	return clash
}

// CheckSlot reports, without writing, whether a booking would clash: nil,
// or a *core.ClashError with the next free slot.
func (s *Session) CheckSlot(a core.Appointment) error {
	if err := s.authorize(core.ActCreate, core.KindAppointment); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = core.ApptBooked
	}
	return s.view(func(t *txn) error { return t.checkSlot(&a) })
}

// Book saves a new appointment in status booked, or returns a
// *core.ClashError (naming the clash and the next free slot, never one in
// the past) and writes nothing. A start before now is refused with a
// *core.ValidationError on start. The check and the write are one
// transaction.
func (s *Session) Book(a core.Appointment) (core.Appointment, error) {
	a.Status, a.StatusReason, a.CheckedInAt = core.ApptBooked, "", time.Time{}
	a.Start = a.Start.UTC()
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindAppointment); err != nil {
			return err
		}
		if err := core.CheckNotPast(&a, t.now); err != nil {
			return err
		}
		if err := t.checkSlot(&a); err != nil {
			return err
		}
		if err := t.create(&a); err != nil {
			return err
		}
		_, err := t.queueNotices(notice{purpose: core.PurposeConfirmation, appt: &a, notBefore: t.now})
		return err
	})
	return a, err
}

// Move reschedules a booked appointment, or returns a *core.ClashError.
// Only appointments core.Movable allows may move (a checked-in visit is
// first corrected back to booked); a start before now is refused.
func (s *Session) Move(id core.ID, start time.Time, minutes int, room string) (core.Appointment, error) {
	var a core.Appointment
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindAppointment); err != nil {
			return err
		}
		if err := t.get(id, &a); err != nil {
			return err
		}
		if !core.Movable(a.Status) {
			return &core.TransitionError{Kind: core.KindAppointment, From: string(a.Status), To: "moved"}
		}
		a.Start, a.Minutes, a.Room = start.UTC(), minutes, room
		if err := core.CheckNotPast(&a, t.now); err != nil {
			return err
		}
		if err := t.checkSlot(&a); err != nil {
			return err
		}
		return t.save(&a)
	})
	return a, err
}

// SetStatus moves an appointment through its status machine. Cancelling
// and every correction (core.AppointmentStatus.IsCorrection: checked in →
// booked, no-show → booked …) need a reason, which the change records;
// the day guards of core.CheckStatusTime apply in the clinic's zone;
// checking in records the time. Taking a cancelled or no-show appointment
// back to booked refuses with a *core.ClashError when its slot has been
// given to someone else since.
func (s *Session) SetStatus(id core.ID, to core.AppointmentStatus, reason string) (core.Appointment, error) {
	var a core.Appointment
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindAppointment); err != nil {
			return err
		}
		if err := t.get(id, &a); err != nil {
			return err
		}
		return t.setStatus(&a, to, reason)
	})
	return a, err
}

// setStatus applies one status step to a loaded appointment.
func (t *txn) setStatus(a *core.Appointment, to core.AppointmentStatus, reason string) error {
	from := a.Status
	if err := from.CheckTransition(to); err != nil {
		return err
	}
	if from.NeedsReason(to) && strings.TrimSpace(reason) == "" {
		msg := "is required to cancel"
		if from.IsCorrection(to) {
			msg = "is required to correct a status"
		}
		return &core.ValidationError{Kind: core.KindAppointment, Fields: []core.FieldError{{Field: "reason", Message: msg}}}
	}
	if err := core.CheckStatusTime(*a, to, t.now, t.s.db.zone); err != nil {
		return err
	}
	a.Status, a.StatusReason = to, reason
	switch {
	case to == core.ApptCheckedIn && !from.IsCorrection(to):
		a.CheckedInAt = t.now
	case to == core.ApptBooked:
		a.CheckedInAt = time.Time{}
	}
	if !from.Holds() && to.Holds() {
		want := a.Slot()
		if cl := core.Clashes(want, t.busy(want, core.DateOf(a.Start, t.s.db.zone))); len(cl) > 0 {
			return &core.ClashError{Clashes: cl}
		}
	}
	if err := t.save(a); err != nil {
		return err
	}
	if to == core.ApptCancelled {
		if _, err := t.queueNotices(notice{purpose: core.PurposeCancellation, appt: a, notBefore: t.now}); err != nil {
			return err
		}
	}
	if !from.IsCorrection(to) {
		return nil
	}
	return t.logAccess(a.PatientID, core.AccessChange, fmt.Sprintf("appointment %s: %s back to %s: %s", a.ID.Short(), core.StatusWord(string(from)), core.StatusWord(string(to)), reason))
}

// Appointment returns one appointment.
func (s *Session) Appointment(id core.ID) (core.Appointment, error) {
	var a core.Appointment
	if err := s.authorize(core.ActRead, core.KindAppointment); err != nil {
		return a, err
	}
	err := s.view(func(t *txn) error { return t.get(id, &a) })
	return a, err
}

// Appointments lists the appointments of a day in the clinic's zone, for one
// doctor or, when doctor is "", for all, ordered by start then doctor.
func (s *Session) Appointments(day core.Date, doctor string) ([]core.Appointment, error) {
	if err := s.authorize(core.ActRead, core.KindAppointment); err != nil {
		return nil, err
	}
	if _, err := core.ParseDate(string(day)); err != nil {
		return nil, err
	}
	var out []core.Appointment
	err := s.view(func(t *txn) (err error) {
		out, err = readLive[core.Appointment](t, t.dayIDs(day, doctor))
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		if out[i].Doctor != out[j].Doctor {
			return out[i].Doctor < out[j].Doctor
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}
