package core

import (
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
// booked → cancelled | no_show.
var apptMachine = machine[AppointmentStatus]{
	kind: KindAppointment,
	next: map[AppointmentStatus][]AppointmentStatus{
		ApptBooked:     {ApptCheckedIn, ApptCancelled, ApptNoShow},
		ApptCheckedIn:  {ApptInProgress},
		ApptInProgress: {ApptCompleted},
		ApptCompleted:  nil,
		ApptCancelled:  nil,
		ApptNoShow:     nil,
	},
}

// CheckTransition returns nil when an appointment may go from s to next.
func (s AppointmentStatus) CheckTransition(next AppointmentStatus) error {
	return apptMachine.check(s, next)
}

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
