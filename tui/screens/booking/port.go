package booking

import (
	"time"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what booking and moving need of a session.
type Port interface {
	ui.DoctorsPort
	// CheckSlot reports, without writing, whether a booking would clash: nil,
	// or a *core.ClashError with the next free slot.
	CheckSlot(a core.Appointment) error
	// Book saves a new appointment (status booked), or returns a
	// *core.ClashError without writing.
	Book(a core.Appointment) (core.Appointment, error)
	// Move reschedules an appointment, or returns a *core.ClashError.
	Move(id core.ID, start time.Time, minutes int, room string) (core.Appointment, error)
}
