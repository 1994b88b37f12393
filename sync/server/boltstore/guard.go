package boltstore

import (
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads the file through a memory map and trusts what it finds
// there: a damaged page makes it index past a slice, follow a pointer out
// of the map, or read beyond the end of the file, which the runtime turns
// into an unrecoverable fault unless the goroutine asked for a panic
// instead. Every transaction therefore runs under guard, which turns both
// into ErrCorrupt for the one call that met the damage; the process, and
// every organisation whose pages are intact, carry on.

// guard runs fn with faults on mapped memory reported as panics, and any
// panic reported as ErrCorrupt naming what was being read.
func guard(what string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, what, r)
		}
	}()
	return fn()
}

// read runs fn in a read transaction under guard.
func (s *Store) read(what string, fn func(tx *bolt.Tx) error) error {
	return guard(what, func() error { return s.db.View(fn) })
}

// write runs fn in a write transaction under guard. bbolt rolls the
// transaction back when fn panics, so a write that met damage leaves the
// file as it was.
func (s *Store) write(what string, fn func(tx *bolt.Tx) error) error {
	return guard(what, func() error { return s.db.Update(fn) })
}
