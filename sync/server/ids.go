package server

import "fmt"

// MaxIDLen is the longest organisation or device ID the server accepts.
const MaxIDLen = 128

// checkID reports whether s is a well-formed organisation or device ID: 1
// to MaxIDLen letters, digits and . _ : - (what logs and bucket names can
// carry without quoting).
func checkID(what, s string) error {
	if s == "" || len(s) > MaxIDLen {
		return fmt.Errorf("%w: %s ID must be 1 to %d characters", ErrInvalid, what, MaxIDLen)
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == ':', r == '-':
		default:
			return fmt.Errorf("%w: %s ID may hold only letters, digits and . _ : -", ErrInvalid, what)
		}
	}
	return nil
}
