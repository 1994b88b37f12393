package store

import (
	"errors"
	"fmt"
)

var (
	// ErrNotStore is returned when a file is not a workstation store.
	ErrNotStore = errors.New("store: not a clinic store")
	// ErrCorrupt is returned when stored bytes fail their integrity check
	// or do not decode.
	ErrCorrupt = errors.New("store: data is corrupt")
	// ErrNewerSchema is returned when a store was written by a newer
	// version of the software.
	ErrNewerSchema = errors.New("store: written by a newer version")
	// ErrExists is returned when Create finds a store already there.
	ErrExists = errors.New("store: already exists")
	// ErrInUse is returned when another process has the store open.
	ErrInUse = errors.New("store: in use by another process")
	// ErrNotFound is returned when a record or user does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrUserExists is returned when adding a user whose name is taken.
	ErrUserExists = errors.New("store: user already exists")
	// ErrEpochBehind is returned when a user granted only a newer key epoch
	// logs in to a workstation that has not moved to it yet.
	ErrEpochBehind = errors.New("store: workstation is behind on key epochs")
	// ErrAppendOnly is returned when asked to change a record of an
	// append-only kind.
	ErrAppendOnly = errors.New("store: record is append-only")
)

// corrupt wraps ErrCorrupt naming where the bad bytes are.
func corrupt(where string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s failed its integrity check", ErrCorrupt, where)
	}
	return fmt.Errorf("%w: %s: %v", ErrCorrupt, where, err)
}
