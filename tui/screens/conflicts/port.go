package conflicts

import (
	"time"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what resolving conflicts needs of a session.
type Port interface {
	ui.NamesPort
	// Conflicts lists open conflicts, oldest first.
	Conflicts() ([]core.Conflict, error)
	// Appointment returns one appointment by ID, either side of a conflict.
	Appointment(id core.ID) (core.Appointment, error)
	// CheckSlot reports whether a booking would clash: nil, or a
	// *core.ClashError with the next free slot.
	CheckSlot(a core.Appointment) error
	// ResolveConflict keeps one appointment of a conflict and cancels the
	// other, or moves it to moveTo when that is not zero.
	ResolveConflict(id, keep core.ID, moveTo time.Time) error
	// Refills lists refill requests, newest first; pending keeps those
	// waiting for a decision.
	Refills(pending bool) ([]core.Refill, error)
	// Prescription reads one prescription (the access is logged).
	Prescription(id core.ID) (core.Prescription, error)
	// ResolveRefillConflict settles a refill approved twice: with both,
	// both dispensings stand and count; without, the second was recalled.
	ResolveRefillConflict(refill core.ID, both bool, reason string) error
}
