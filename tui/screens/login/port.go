package login

import (
	"time"

	"medisecure/core"
)

// Port checks a user's passphrase. The root's Backend satisfies it.
type Port interface {
	// Login returns the user's session, an error wrapping core.ErrAuth for
	// a wrong user or passphrase, or a *core.LockedError while the user is
	// locked out.
	Login(user, passphrase string) (Session, error)
	// RedeemReset sets a new passphrase for a user an admin reset (whose
	// Login gave core.ErrResetPending) with their one-time reset code; a
	// wrong code is an auth error.
	RedeemReset(user, code, passphrase string) error
}

// Session is what the login screen reads of a new session.
type Session interface {
	Principal() core.Principal
	Zone() *time.Location
}
