package boltstore

import (
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server/internal/group"
)

// Pushes and request nonces, the writes every call makes, are committed in
// groups: the writes that arrive while a commit is under way share the
// next transaction and its one fsync. Each write is acknowledged only
// once its group is committed. A write that refuses (a gap, a replayed
// nonce) returns a refusal, after which what it wrote, if anything, is
// meant to be committed, and its group goes on; a write that fails otherwise, or meets damage, is rolled back with
// its group and run again alone, so that it fails alone, and the others
// are committed without it.

// Group bounds: a group's batches are held in memory until its commit.
const (
	groupOps   = 1024
	groupBytes = 32 << 20
)

// write is one grouped write: what names it for damage reports, fn makes
// it in the group's transaction. fn may run more than once (after a
// rollback): it must set everything it reports afresh each time.
type write struct {
	what string
	fn   func(tx *bolt.Tx) error
}

// refusal is an error a grouped write returns when what it wrote so far,
// if anything, is to be committed (a replayed push's pruned nonces; most
// refusals write nothing), so that its group's transaction carries on.
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// refuse marks err as a refusal.
func refuse(err error) error { return refusal{err} }

// newCommitter returns the store's group committer.
func (s *Store) newCommitter() *group.Committer[write] {
	return group.New(groupOps, groupBytes, s.commitGroup)
}

// grouped runs fn in a transaction shared with the writes that arrive
// while a commit is under way, and returns once that transaction is
// committed. weight is roughly the bytes fn writes.
func (s *Store) grouped(what string, weight int, fn func(tx *bolt.Tx) error) error {
	err := s.group.Do(write{what: what, fn: fn}, weight)
	if r, ok := err.(refusal); ok {
		return r.error
	}
	return err
}

// errRollback rolls a group's transaction back after a write failed.
var errRollback = errors.New("boltstore: group rolled back")

// commitGroup makes ops in one transaction and commits it, leaving out
// and running alone each op that fails other than by a refusal. It runs
// on the goroutine of one of the callers, with faults on mapped memory
// turned into panics for its duration.
func (s *Store) commitGroup(ops []write) []error {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	errs := make([]error, len(ops))
	pending := make([]int, len(ops))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		failed := -1
		err := safely("transaction", func() error {
			return s.db.Update(func(tx *bolt.Tx) error {
				for k, i := range pending {
					err := safely(ops[i].what, func() error { return ops[i].fn(tx) })
					errs[i] = err
					if err == nil || errors.As(err, new(refusal)) {
						continue
					}
					failed = k
					return errRollback
				}
				return nil
			})
		})
		switch {
		case failed >= 0:
			// The failed write alone, then the rest again together.
			i := pending[failed]
			if !errors.Is(errs[i], ErrCorrupt) {
				errs[i] = s.write(ops[i].what, ops[i].fn)
			}
			pending = append(pending[:failed], pending[failed+1:]...)
			continue
		case err != nil && len(pending) == 1:
			errs[pending[0]] = err
		case err != nil:
			// The commit failed: each alone, so that a damaged page
			// fails only the write that met it.
			for _, i := range pending {
				errs[i] = s.write(ops[i].what, ops[i].fn)
			}
		}
		break
	}
	return errs
}

// safely runs fn, returning a panic as ErrCorrupt naming what was being
// written.
func safely(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, what, r)
		}
	}()
	return fn()
}
