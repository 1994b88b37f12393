package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// Session is one logged-in user's access to the store. Every method checks
// the user's permissions with core.Authorize before touching data.
type Session struct {
	db   *DB
	user core.User
	keys *userKeys

	// entryMu guards entry, which a directory import from sync may renew
	// (with a grant of a newer key epoch) while the session is in use.
	entryMu sync.Mutex
	entry   *dirEntry
	// readOnly marks a session opened by a terminal key alone (KeySession):
	// it may read, never write.
	readOnly bool
}

// dir is the session user's directory entry as last read.
func (s *Session) dir() *dirEntry {
	s.entryMu.Lock()
	defer s.entryMu.Unlock()
	return s.entry
}

// Refresh re-reads the user's directory entry and moves the store to a
// newer key epoch when the entry now holds one: a sync client calls it
// after importing a directory that a key rotation elsewhere changed.
func (s *Session) Refresh() error {
	var e *dirEntry
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		got, err := getEntry(tx, s.user.Name)
		if err != nil {
			return err
		}
		if err := verifyEntry(tx, s.db.root, got); err != nil {
			return err
		}
		e = got
		return nil
	})
	if err != nil {
		return err
	}
	s.entryMu.Lock()
	s.entry = e
	s.entryMu.Unlock()
	if err := s.catchUpEpoch(); err != nil {
		return err
	}
	return s.unlockClasses()
}

// lockout is a user's run of failed logins.
type lockout struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"until"`
}

// Login checks a passphrase and opens a session. A wrong user or passphrase
// gives core.ErrAuth (never saying which); after core.LockoutThreshold
// failures in a row the user is locked for a growing delay and Login
// returns a *core.LockedError without trying the passphrase.
func (db *DB) Login(name, passphrase string) (*Session, error) {
	now := db.opts.now()
	var (
		entry *dirEntry
		lock  lockout
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketLockout).Get([]byte(name)); v != nil {
			if err := json.Unmarshal(v, &lock); err != nil {
				return corrupt("lockout record of "+name, err)
			}
		}
		e, err := getEntry(tx, name)
		if err != nil {
			return err
		}
		if err := verifyEntry(tx, db.root, e); err != nil {
			return err
		}
		entry = e
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real attempt so timing tells nothing.
		db.opts.kdf().Derive(passphrase)
		return nil, core.ErrAuth
	}
	if err != nil {
		return nil, err
	}
	if now.Before(lock.Until) {
		return nil, &core.LockedError{Until: lock.Until.In(db.zone)}
	}
	if entry.User.Disabled {
		db.opts.kdf().Derive(passphrase)
		return nil, core.ErrAuth
	}
	if entry.Reset {
		db.opts.kdf().Derive(passphrase)
		return nil, ErrResetPending
	}
	keys, err := entry.unlock(passphrase)
	if err != nil {
		lock.Failures++
		lock.Until = now.Add(core.LockoutDelay(lock.Failures))
		if werr := db.setLockout(name, &lock); werr != nil {
			return nil, werr
		}
		if lock.Failures >= core.LockoutThreshold {
			return nil, &core.LockedError{Until: lock.Until.In(db.zone)}
		}
		return nil, core.ErrAuth
	}
	if lock.Failures > 0 {
		if err := db.setLockout(name, nil); err != nil {
			return nil, err
		}
	}
	orgKey, err := entry.orgKey(db.org.Epoch, keys)
	if err != nil {
		if entry.newestGrant() > db.org.Epoch {
			return nil, fmt.Errorf("%w: this workstation is still on key epoch %d and %s holds only newer keys; log in first as a user who held epoch %d", ErrEpochBehind, db.org.Epoch, name, db.org.Epoch)
		}
		return nil, err
	}
	if err := db.unlock(orgKey); err != nil {
		return nil, err
	}
	s := &Session{db: db, user: entry.User, keys: keys, entry: entry}
	if err := s.catchUpEpoch(); err != nil {
		return nil, err
	}
	if err := s.unlockClasses(); err != nil {
		return nil, err
	}
	return s, nil
}

// setLockout records (or, when l is nil, clears) a user's failed logins.
func (db *DB) setLockout(name string, l *lockout) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLockout)
		if l == nil {
			return b.Delete([]byte(name))
		}
		return b.Put([]byte(name), mustJSON(l))
	})
}

// Principal is who is logged in.
func (s *Session) Principal() core.Principal {
	return core.Principal{User: s.user.Name, Role: s.user.Role}
}

// User is the logged-in user.
func (s *Session) User() core.User { return s.user }

// Zone is the clinic's time zone.
func (s *Session) Zone() *time.Location { return s.db.zone }

// DB is the store the session belongs to.
func (s *Session) DB() *DB { return s.db }

// authorize checks the session's user may take an action.
func (s *Session) authorize(a core.Action, k core.Kind) error {
	if s.readOnly && a != core.ActRead {
		return &core.DeniedError{Role: s.user.Role, Action: a, Kind: k, Reason: "a terminal key alone only reads; writing needs your passphrase"}
	}
	return core.Authorize(s.Principal(), a, k)
}
