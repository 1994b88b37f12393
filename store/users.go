package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// AddUser creates a user with a passphrase of their own, grants them the
// org key and signs their directory entry (admins only).
func (s *Session) AddUser(u core.User, passphrase string) error {
	if err := s.authorize(core.ActCreate, core.KindUser); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if len(passphrase) < 8 {
		return &core.ValidationError{Kind: core.KindUser, Fields: []core.FieldError{{Field: "passphrase", Message: "must be at least 8 characters"}}}
	}
	e, _, err := newUserEntry(u, passphrase, s.db.opts.kdf())
	if err != nil {
		return err
	}
	if err := e.grant(s.db.org.Epoch, s.db.keys.orgKey); err != nil {
		return err
	}
	if seed, ok := s.heldRootSeed(); ok {
		if _, err := e.grantClasses(seed, s.db.epochNow()); err != nil {
			return err
		}
	}
	if u.Role == core.RoleAdmin {
		root, ok := s.keys.openSealed(s.dir().RootGrant)
		if !ok {
			return corrupt("the root key grant of "+s.user.Name, nil)
		}
		if e.RootGrant, err = e.sealTo(root); err != nil {
			return err
		}
	}
	e.sign(s.user.Name, s.keys.sign)
	err = s.db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDirectory).Get([]byte(u.Name)) != nil {
			return fmt.Errorf("%w: %s", ErrUserExists, u.Name)
		}
		return putEntry(tx, e)
	})
	if err != nil {
		return err
	}
	return s.db.maintainClassWraps()
}

// Users lists the directory, by name. Any logged-in user may list staff
// (to pick a doctor); only the fields of core.User are returned.
func (s *Session) Users() ([]core.User, error) {
	var out []core.User
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDirectory).ForEach(func(k, v []byte) error {
			e, err := decodeDirEntry(v)
			if err != nil {
				return corrupt("directory entry "+string(k), err)
			}
			if err := verifyEntry(tx, s.db.root, e); err != nil {
				return err
			}
			out = append(out, e.User)
			return nil
		})
	})
	return out, err
}

// Doctors lists the users with the doctor role, by name.
func (s *Session) Doctors() ([]core.User, error) {
	users, err := s.Users()
	if err != nil {
		return nil, err
	}
	var out []core.User
	for _, u := range users {
		if u.Role == core.RoleDoctor && !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

// lookupUser returns a user of the directory, or ErrNotFound.
func (s *Session) lookupUser(tx *bolt.Tx, name string) (core.User, error) {
	e, err := s.db.dirs.lookup(tx, s.db.root, name)
	if err != nil {
		return core.User{}, err
	}
	return e.User, nil
}
