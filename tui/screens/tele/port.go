package tele

import "medisecure/core"

// Port is what the video consultation screen needs of a session.
type Port interface {
	// Appointment returns one appointment.
	Appointment(id core.ID) (core.Appointment, error)
	// TelesessionFor returns the appointment's video session; ok is false
	// when it has none.
	TelesessionFor(appt core.ID) (ts core.Telesession, ok bool, err error)
	// BookTelesession makes the appointment a video consultation; without
	// the patient's consent it is an error wrapping core.ErrNoConsent.
	BookTelesession(appt core.ID) (core.Telesession, error)
	// StartTelesession and EndTelesession move the session along its
	// status machine (a *core.TransitionError when they may not).
	StartTelesession(id core.ID) (core.Telesession, error)
	EndTelesession(id core.ID) (core.Telesession, error)
}
