package core

import (
	"fmt"
	"time"
)

// AppointmentStatus is where an appointment is in its day.
type AppointmentStatus string

// The appointment statuses.
const (
	ApptBooked     AppointmentStatus = "booked"
	ApptCheckedIn  AppointmentStatus = "checked_in"
	ApptInProgress AppointmentStatus = "in_progress"
	ApptCompleted  AppointmentStatus = "completed"
	ApptCancelled  AppointmentStatus = "cancelled"
	ApptNoShow     AppointmentStatus = "no_show"
)

// apptMachine: booked → checked_in → in_progress → completed;
// booked → cancelled | no_show. It also holds the corrections a desk needs
// (apptCorrections), which only a change with a reason may take.
var apptMachine = machine[AppointmentStatus]{
	kind: KindAppointment,
	next: map[AppointmentStatus][]AppointmentStatus{
		ApptBooked:     {ApptCheckedIn, ApptCancelled, ApptNoShow},
		ApptCheckedIn:  {ApptInProgress, ApptBooked},
		ApptInProgress: {ApptCompleted, ApptCheckedIn},
		ApptCompleted:  {ApptInProgress},
		ApptCancelled:  {ApptBooked},
		ApptNoShow:     {ApptBooked},
	},
}

// apptCorrections are the steps back that undo a mistaken status change:
// a check-in, a no-show, a cancellation, a start or a completion pressed by
// mistake. Each needs a reason, which the change records (status_reason)
// with its author and time.
var apptCorrections = map[[2]AppointmentStatus]bool{
	{ApptCheckedIn, ApptBooked}:     true,
	{ApptNoShow, ApptBooked}:        true,
	{ApptCancelled, ApptBooked}:     true,
	{ApptInProgress, ApptCheckedIn}: true,
	{ApptCompleted, ApptInProgress}: true,
}

// CheckTransition returns nil when an appointment may go from s to next,
// corrections included (see IsCorrection), or a *TransitionError.
func (s AppointmentStatus) CheckTransition(next AppointmentStatus) error {
	return apptMachine.check(s, next)
}

// IsCorrection reports whether s → next undoes a mistaken status change
// (checked in → booked, no-show → booked …) rather than moving the visit
// forward.
func (s AppointmentStatus) IsCorrection(next AppointmentStatus) bool {
	return apptCorrections[[2]AppointmentStatus{s, next}]
}

// NeedsReason reports whether s → next must say why: a cancellation and
// every correction.
func (s AppointmentStatus) NeedsReason(next AppointmentStatus) bool {
	return next == ApptCancelled || s.IsCorrection(next)
}

// UndoOf returns the status that undoes the status change from → to, and
// whether there is one: after booked → checked_in it is booked. Taking it
// is a correction and needs a reason.
func UndoOf(from, to AppointmentStatus) (AppointmentStatus, bool) {
	if apptCorrections[[2]AppointmentStatus{to, from}] {
		return from, true
	}
	return "", false
}

// Movable reports whether an appointment in status s may be moved to another
// time or room. Only booked appointments may: a visit that has begun (checked
// in or later) is where it is, and one that is cancelled or a no-show holds
// no slot. A checked-in visit that must move is first taken back to booked
// (a correction with a reason), then moved; screens offer "move" only when
// Movable says so.
func Movable(s AppointmentStatus) bool { return s == ApptBooked }

// ParseAppointmentStatus checks that s names an appointment status.
func ParseAppointmentStatus(s string) (AppointmentStatus, error) {
	c := &checker{kind: KindAppointment}
	apptMachine.checkState(c, "status", AppointmentStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return AppointmentStatus(s), nil
}

// Holds reports whether an appointment in this status occupies its slot;
// cancelled and no-show appointments free it.
func (s AppointmentStatus) Holds() bool {
	return s != ApptCancelled && s != ApptNoShow
}

// Appointment is a patient's visit to a doctor, in a room, at a time.
type Appointment struct {
	Meta
	PatientID    ID                `json:"patient_id"`
	Doctor       string            `json:"doctor"`
	Start        time.Time         `json:"start"`
	Minutes      int               `json:"minutes"`
	Room         string            `json:"room"`
	Reason       string            `json:"reason"`
	Status       AppointmentStatus `json:"status"`
	StatusReason string            `json:"status_reason"`
	CheckedInAt  time.Time         `json:"checked_in_at"`
}

func init() { register(KindAppointment, func() Entity { return &Appointment{} }) }

// Kind is KindAppointment.
func (*Appointment) Kind() Kind { return KindAppointment }

// End is when the appointment is over.
func (a *Appointment) End() time.Time { return a.Start.Add(time.Duration(a.Minutes) * time.Minute) }

// Slot is the part of the appointment that scheduling rules look at.
func (a *Appointment) Slot() Slot {
	return Slot{ID: a.ID, Doctor: a.Doctor, Room: a.Room, PatientID: a.PatientID, Start: a.Start, End: a.End(), Holds: a.Status.Holds()}
}

// Validate checks every field and lists all that are wrong.
func (a *Appointment) Validate() error {
	c := &checker{kind: KindAppointment}
	if c.require("patient", string(a.PatientID)) && a.PatientID.Bytes() == nil {
		c.add("patient", "is not a patient id")
	}
	c.require("doctor", a.Doctor)
	if a.Start.IsZero() {
		c.add("start", "is required")
	}
	if a.Minutes < 5 || a.Minutes > 480 {
		c.add("minutes", "must be between 5 and 480")
	}
	c.maxLen("room", a.Room, 40)
	c.maxLen("reason", a.Reason, 500)
	apptMachine.checkState(c, "status", a.Status)
	c.freeText(a)
	return c.err()
}

// ErrStatusTime is returned (wrapped in a *StatusTimeError) when a status
// change is refused for the day or time it is made: a check-in on another
// day, a no-show before the start.
var ErrStatusTime = NewError(ClassValidation, "core: status change not allowed at this time")

// StatusTimeError says why a status change cannot happen now.
type StatusTimeError struct {
	// To is the status that was refused.
	To AppointmentStatus
	// Start is the appointment's start, in the clinic's zone.
	Start time.Time
	// Early is true for a no-show before the start, false for a check-in,
	// start or completion on a day that is not the appointment's.
	Early bool
}

// statusVerbs say what taking a status means, for messages.
var statusVerbs = map[AppointmentStatus]string{
	ApptCheckedIn:  "checked in",
	ApptInProgress: "started",
	ApptCompleted:  "completed",
	ApptNoShow:     "marked as a no-show",
}

// Error reads "appointment: can be checked in only on its day (Fri 27 Nov)"
// or "appointment: can be marked as a no-show only after it starts at 09:00",
// in the clinic's zone.
func (e *StatusTimeError) Error() string {
	if e.Early {
		return fmt.Sprintf("appointment: can be %s only after it starts at %s", statusVerbs[e.To], e.Start.Format("15:04"))
	}
	return fmt.Sprintf("appointment: can be %s only on its day (%s)", statusVerbs[e.To], e.Start.Format("Mon 2 Jan 2006"))
}

// Unwrap lets errors.Is match ErrStatusTime and ErrInvalid: it is a
// validation failure (exit 3).
func (e *StatusTimeError) Unwrap() []error { return []error{ErrStatusTime, ErrInvalid} }

// CheckStatusTime applies the day guards to a status change at now: check
// in, start and complete only on the appointment's own day in the clinic's
// zone, a no-show only once the start time has passed. Cancellations and
// corrections may happen at any time. It returns nil or a *StatusTimeError.
func CheckStatusTime(a Appointment, to AppointmentStatus, now time.Time, zone *time.Location) error {
	if a.Status.IsCorrection(to) {
		return nil
	}
	start := a.Start.In(zone)
	switch to {
	case ApptCheckedIn, ApptInProgress, ApptCompleted:
		if DateOf(start, zone) != DateOf(now, zone) {
			return &StatusTimeError{To: to, Start: start}
		}
	case ApptNoShow:
		if now.Before(a.Start) {
			return &StatusTimeError{To: to, Start: start, Early: true}
		}
	}
	return nil
}

// SplitVisits divides a patient's appointments, ordered by start, at now:
// history (begun before now, newest first) and upcoming (the rest, soonest
// first).
func SplitVisits(appts []Appointment, now time.Time) (history, upcoming []Appointment) {
	for _, a := range appts {
		if a.Start.Before(now) {
			history = append(history, a)
		} else {
			upcoming = append(upcoming, a)
		}
	}
	for i, j := 0, len(history)-1; i < j; i, j = i+1, j-1 {
		history[i], history[j] = history[j], history[i]
	}
	return history, upcoming
}
