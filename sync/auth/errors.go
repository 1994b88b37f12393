package auth

import "errors"

var (
	// ErrBadSignature is returned when a request's or a statement's
	// signature does not verify, or its signer is not entitled to sign it.
	ErrBadSignature = errors.New("auth: signature does not verify")

	// ErrMalformed is returned when an Auth or a statement lacks a field or
	// has one of the wrong size.
	ErrMalformed = errors.New("auth: malformed")

	// ErrCertExpired is returned when a statement is endorsed by an admin
	// whose certificate has ended.
	ErrCertExpired = errors.New("auth: admin certificate has expired")
)
