package core

import (
	"fmt"
	"time"
)

// ErrAuth is returned when a user name or passphrase is wrong. It never says
// which of the two was wrong.
var ErrAuth = NewError(ClassAuth, "wrong user or passphrase")

// ErrResetPending is returned by a login of a user an admin reset: they
// set a new passphrase with their one-time reset code first.
var ErrResetPending = NewError(ClassAuth, "this account was reset; set a new passphrase with the reset code (clinic passwd --reset CODE)")

// ErrLocked is returned (wrapped in a *LockedError) while a user is locked
// out after repeated failed logins.
var ErrLocked = NewError(ClassAuth, "user is locked")

// LockedError says until when a user is locked out.
type LockedError struct {
	// Until is when the next login may be tried; the store gives it in the
	// clinic's zone, so the message reads as the clock on the wall does.
	Until time.Time
}

// Error reads "too many failed logins; try again after 22:06:39 CET", in
// the zone Until carries.
func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins; try again after %s", e.Until.Format("15:04:05 MST"))
}

// Unwrap lets errors.Is(err, ErrLocked) match.
func (e *LockedError) Unwrap() error { return ErrLocked }

// LockoutThreshold is how many failed logins in a row lock a user.
const LockoutThreshold = 5

// LockoutDelay is how long a user stays locked after failures failed logins
// in a row: nothing below the threshold, then 30 seconds doubling with each
// further failure, at most one hour.
func LockoutDelay(failures int) time.Duration {
	if failures < LockoutThreshold {
		return 0
	}
	d := 30 * time.Second
	for i := LockoutThreshold; i < failures && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
