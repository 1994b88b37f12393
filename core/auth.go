package core

import (
	"errors"
	"fmt"
	"time"
)

// ErrAuth is returned when a user name or passphrase is wrong. It never says
// which of the two was wrong.
var ErrAuth = errors.New("wrong user or passphrase")

// ErrLocked is returned (wrapped in a *LockedError) while a user is locked
// out after repeated failed logins.
var ErrLocked = errors.New("user is locked")

// LockedError says until when a user is locked out.
type LockedError struct {
	Until time.Time
}

// Error reads "too many failed logins; try again in 2m0s".
func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins; try again after %s", e.Until.UTC().Format("15:04:05 UTC"))
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
