package store

import (
	"fmt"

	"medisecure/core"
)

var (
	// ErrNotStore is returned when a file is not a workstation store.
	ErrNotStore = core.NewError(core.ClassStore, "store: not a clinic store")
	// ErrCorrupt is returned when stored bytes fail their integrity check
	// or do not decode.
	ErrCorrupt = core.NewError(core.ClassStore, "store: data is corrupt")
	// ErrNewerSchema is returned when a store was written by a newer
	// version of the software.
	ErrNewerSchema = core.NewError(core.ClassStore, "store: written by a newer version")
	// ErrExists is returned when Create finds a store already there.
	ErrExists = core.NewError(core.ClassStore, "store: already exists")
	// ErrInUse is returned when another process has the store open.
	ErrInUse = core.NewError(core.ClassStore, "store: in use by another process")
	// ErrNotFound is returned when a record or user does not exist.
	ErrNotFound = core.NewError(core.ClassValidation, "store: not found")
	// ErrUserExists is returned when adding a user whose name is taken.
	ErrUserExists = core.NewError(core.ClassConflict, "store: user already exists")
	// ErrEpochBehind is returned when a user granted only a newer key epoch
	// logs in to a workstation that has not moved to it yet.
	ErrEpochBehind = core.NewError(core.ClassStore, "store: workstation is behind on key epochs")
	// ErrAppendOnly is returned when asked to change a record of an
	// append-only kind.
	ErrAppendOnly = core.NewError(core.ClassValidation, "store: record is append-only")
)

// corrupt wraps ErrCorrupt naming where the bad bytes are.
func corrupt(where string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s failed its integrity check", ErrCorrupt, where)
	}
	return fmt.Errorf("%w: %s: %v", ErrCorrupt, where, err)
}
