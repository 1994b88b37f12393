package schedule

import (
	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what the schedule needs of a session.
type Port interface {
	ui.DoctorsPort
	ui.NamesPort
	// Appointments lists the appointments of a day in the clinic's zone, for
	// one doctor or, when doctor is "", for all, ordered by start then doctor.
	Appointments(day core.Date, doctor string) ([]core.Appointment, error)
	// SetStatus moves an appointment through its status machine; an illegal
	// step is a *core.TransitionError.
	SetStatus(id core.ID, to core.AppointmentStatus, reason string) (core.Appointment, error)
}
