package refills

import (
	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what the refill worklist needs of a session.
type Port interface {
	ui.NamesPort
	// Refills lists refill requests, newest first; pending keeps those
	// waiting for a decision.
	Refills(pending bool) ([]core.Refill, error)
	// Prescription reads one prescription (the access is logged).
	Prescription(id core.ID) (core.Prescription, error)
	// DecideRefill approves a request (using one refill of the
	// prescription) or denies it with a reason.
	DecideRefill(id core.ID, approve bool, note string) (core.Refill, error)
}
