package core

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// ID identifies a record. It is 12 bytes written as 24 lower-case hex digits:
// 6 bytes of creation time in milliseconds (so new records sort after old
// ones, which keeps B-tree inserts cheap) and 6 random bytes.
type ID string

// ErrBadID is returned when a string is not a well-formed ID.
var ErrBadID = NewError(ClassValidation, "core: malformed id")

// idLen is the length of an ID in characters.
const idLen = 24

// NewID makes an ID from the time and random bytes read from r.
func NewID(now time.Time, r io.Reader) (ID, error) {
	var b [12]byte
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := io.ReadFull(r, b[6:]); err != nil {
		return "", fmt.Errorf("core: reading random bytes for an id: %w", err)
	}
	return ID(hex.EncodeToString(b[:])), nil
}

// ParseID checks that s is a well-formed ID.
func ParseID(s string) (ID, error) {
	if len(s) != idLen {
		return "", fmt.Errorf("%w: %q is not %d hex digits", ErrBadID, s, idLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", fmt.Errorf("%w: %q is not %d lower-case hex digits", ErrBadID, s, idLen)
		}
	}
	return ID(s), nil
}

// Bytes returns the 12 bytes behind the ID, or nil when it is malformed.
func (id ID) Bytes() []byte {
	if _, err := ParseID(string(id)); err != nil {
		return nil
	}
	b, _ := hex.DecodeString(string(id))
	return b
}

// Short is the last 8 digits (random bits), enough to tell records apart on
// a screen; the leading digits are the creation time and repeat.
func (id ID) Short() string {
	if len(id) < 8 {
		return string(id)
	}
	return string(id[len(id)-8:])
}
