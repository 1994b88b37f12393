package nurse

import (
	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what the nurse's day needs of a session.
type Port interface {
	ui.NamesPort
	ui.DoctorsPort
	// Appointments lists the appointments of a day in the clinic's zone,
	// for all doctors when doctor is "", by start then doctor.
	Appointments(day core.Date, doctor string) ([]core.Appointment, error)
	// Refills lists refill requests, newest first; pending keeps those
	// waiting for a decision.
	Refills(pending bool) ([]core.Refill, error)
	// Prescription reads one prescription (the access is logged).
	Prescription(id core.ID) (core.Prescription, error)
}
