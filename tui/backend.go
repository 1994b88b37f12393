package tui

import (
	"time"

	"medisecure/core"
	"medisecure/tui/screens/admin"
	"medisecure/tui/screens/billing"
	"medisecure/tui/screens/booking"
	"medisecure/tui/screens/chart"
	"medisecure/tui/screens/claims"
	"medisecure/tui/screens/compose"
	"medisecure/tui/screens/conflicts"
	"medisecure/tui/screens/documents"
	"medisecure/tui/screens/inbox"
	"medisecure/tui/screens/notifications"
	"medisecure/tui/screens/nurse"
	"medisecure/tui/screens/patient"
	"medisecure/tui/screens/refills"
	"medisecure/tui/screens/rx"
	"medisecure/tui/screens/schedule"
	"medisecure/tui/screens/schedules"
	"medisecure/tui/screens/tele"
)

// Backend opens sessions. The store satisfies it through an adapter; so
// does any test double.
type Backend interface {
	// Login checks a user's passphrase and returns their session. It returns
	// an error wrapping core.ErrAuth for a wrong user or passphrase, and a
	// *core.LockedError while the user is locked out after repeated failures.
	Login(user, passphrase string) (Session, error)
	// RedeemReset sets a new passphrase for a user an admin reset, with
	// the one-time reset code the admin gave them.
	RedeemReset(user, code, passphrase string) error
}

// Session is one logged-in user's view of the store: the ports of the
// screens, each a few methods, and what the frame needs. Every method
// checks permissions in core and returns an error wrapping core.ErrDenied
// when the user's role may not do it; reads of a patient's data write an
// access-log entry.
type Session interface {
	// Principal is who is logged in.
	Principal() core.Principal
	// Zone is the clinic's time zone; times are stored in UTC.
	Zone() *time.Location
	// SyncStatus is the honest state of sync for the status bar.
	SyncStatus() SyncStatus

	schedule.Port
	booking.Port
	patient.Port
	conflicts.Port
	admin.Port
	schedules.Port
	chart.Port
	billing.Port
	claims.Port
	inbox.Port
	notifications.Port
	compose.Port
	tele.Port
	rx.Port
	refills.Port
	nurse.Port
	documents.Port
}

// SyncStatus is what the status bar shows about sync. Synced means the
// server acknowledged every local change, never merely that it was sent.
type SyncStatus struct {
	Online bool
	// Link is what the server last said when it is not plain online or
	// offline, in a few words for the status bar: "refused: device
	// revoked", "server lost data, recovering". Empty otherwise.
	Link string
	// Pending counts local changes the server has not acknowledged.
	Pending int
	// LastAck is the highest local sequence the server acknowledged.
	LastAck uint64
	// LastPull is when the last pull completed; zero when never.
	LastPull time.Time
	// Conflicts counts open conflicts.
	Conflicts int
	// Notices counts the in-app notifications waiting for the user.
	Notices int
}
