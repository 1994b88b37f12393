package invite

import "errors"

var (
	// ErrBadCode is returned when a join code does not decode: a mistyped
	// or missing character, a wrong checksum, an unknown version.
	ErrBadCode = errors.New("invite: not a valid join code")

	// ErrBadInvitation is returned when an invitation does not open with
	// the code's secret (altered, truncated, or another invitation's) or
	// does not hold what a joining workstation needs.
	ErrBadInvitation = errors.New("invite: the invitation does not open with this join code")

	// ErrTooLarge is returned when an invitation exceeds MaxBlobSize
	// sealed.
	ErrTooLarge = errors.New("invite: the invitation is too large")
)
