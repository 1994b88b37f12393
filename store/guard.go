package store

import (
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is returned when reading the store file met a damaged page:
// bbolt followed a broken page header or pointer. It wraps ErrCorrupt.
// Nothing was changed; `clinic store check` says what is damaged and
// `clinic store salvage` copies what can still be read.
var ErrDamaged error = damagedError{}

// damagedError is ErrDamaged's type.
type damagedError struct{}

func (damagedError) Error() string { return "store: store damaged" }
func (damagedError) Unwrap() error { return ErrCorrupt }

// guarded is the store file as the rest of the package uses it: every
// transaction runs under guard.
type guarded struct{ *bolt.DB }

// View runs fn in a read transaction under guard.
func (g guarded) View(fn func(*bolt.Tx) error) error {
	return guard(g.Path(), func() error { return g.DB.View(fn) })
}

// Update runs fn in a write transaction under guard; bbolt rolls it back
// when fn panics, so nothing of it is written.
func (g guarded) Update(fn func(*bolt.Tx) error) error {
	return guard(g.Path(), func() error { return g.DB.Update(fn) })
}

// guard runs fn so that a damaged page of the file at path is an error and
// not a crash. bbolt reads through a memory map and trusts what it finds:
// a broken page makes it index past a slice or read past the end of the
// map, which the runtime turns into an unrecoverable fault unless the
// goroutine asked for a panic instead.
func guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path)
		}
	}()
	return fn()
}

// damaged is ErrDamaged for the file at path, saying what to do.
func damaged(path string) error {
	return fmt.Errorf("%w: %s has a damaged page; run clinic store check, and clinic store salvage --to DIR to copy what can be read", ErrDamaged, path)
}

// isDamaged reports whether err is ErrDamaged.
func isDamaged(err error) bool { return errors.Is(err, ErrDamaged) }
