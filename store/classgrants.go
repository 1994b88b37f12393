package store

import (
	"crypto/ed25519"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// The organisation's class keys seal clinical and billing changes inside
// sync batches (changeseal.go), one key per class and key epoch. They are
// derived from the org root key, which only admins hold, so every admin on
// every workstation derives the same keys without a round of agreement,
// and grants them, sealed to each user's X25519 key, in the signed
// directory entry of every user whose role holds the class. A reception
// or billing entry holds no clinical grant, so their passphrase opens no
// clinical change wherever it travelled.

// classKeyFromRoot derives the organisation's key of a class and epoch.
func classKeyFromRoot(rootSeed []byte, c sealClass, epoch int) []byte {
	return derive(rootSeed, fmt.Sprintf("medisecure org %s key, epoch %d, v1", c, epoch))
}

// grantName is a class grant's key in dirEntry.ClassGrants.
func grantName(epoch int, c sealClass) string { return strconv.Itoa(epoch) + "/" + c.String() }

// grantClasses gives the entry a grant of every class its role holds for
// every epoch from 1 to upTo it lacks one for, and, for a class its role
// writes but does not read (the desk's payments), the public key of the
// class instead (pubName); it drops the grants of classes the role no
// longer holds. Admins get none (they derive the keys), nor do disabled
// users. It reports whether the entry changed.
func (e *dirEntry) grantClasses(rootSeed []byte, upTo int) (bool, error) {
	changed := false
	for name := range e.ClassGrants {
		if !e.keepsGrant(name) {
			delete(e.ClassGrants, name)
			changed = true
		}
	}
	for _, c := range sealClasses {
		reads, writes := e.getsClassGrant(c.String()), e.getsClassPub(c)
		if !reads && !writes {
			continue
		}
		for epoch := 1; epoch <= upTo; epoch++ {
			name := grantName(epoch, c)
			if writes {
				name = pubName(epoch, c)
			}
			if _, ok := e.ClassGrants[name]; ok {
				continue
			}
			raw := classKeyFromRoot(rootSeed, c, epoch)
			var v []byte
			if writes {
				pub, err := writeOnlyKeys(raw)
				if err != nil {
					return changed, err
				}
				v = pub.pub[:]
			} else {
				sealed, err := e.sealTo(raw)
				if err != nil {
					return changed, err
				}
				v = sealed
			}
			if e.ClassGrants == nil {
				e.ClassGrants = map[string][]byte{}
			}
			e.ClassGrants[name] = v
			changed = true
		}
	}
	return changed, nil
}

// pubName is where a class's public key of an epoch sits in
// dirEntry.ClassGrants, for a role that writes the class without reading
// it.
func pubName(epoch int, c sealClass) string { return grantName(epoch, c) + "/pub" }

// keepsGrant reports whether the entry's role still holds what a
// ClassGrants name gives: a grant ("epoch/class") or a public key
// ("epoch/class/pub").
func (e *dirEntry) keepsGrant(name string) bool {
	_, class, _ := strings.Cut(name, "/")
	if cls, ok := strings.CutSuffix(class, "/pub"); ok {
		for _, c := range sealClasses {
			if c.String() == cls {
				return e.getsClassPub(c)
			}
		}
		return false
	}
	return e.getsClassGrant(class)
}

// getsClassPub reports whether the entry's user is given the public key
// of a class: their role creates records of the class it cannot read.
func (e *dirEntry) getsClassPub(c sealClass) bool {
	return e.User.Role != core.RoleAdmin && !e.User.Disabled && roleWritesOnly(e.User.Role, c)
}

// getsClassGrant reports whether the entry's user is granted the class
// named.
func (e *dirEntry) getsClassGrant(class string) bool {
	if e.User.Role == core.RoleAdmin || e.User.Disabled {
		return false
	}
	for _, c := range sealClasses {
		if c.String() == class {
			return roleHolds(e.User.Role, c)
		}
	}
	return false
}

// heldRootSeed opens the org root key granted to an admin, or reports
// false.
func (s *Session) heldRootSeed() ([]byte, bool) {
	entry := s.dir()
	if entry.User.Role != core.RoleAdmin || len(entry.RootGrant) == 0 || s.keys == nil {
		return nil, false
	}
	seed, ok := s.keys.openSealed(entry.RootGrant)
	return seed, ok && len(seed) == ed25519.SeedSize
}

// orgClassKey returns the organisation's key of a class and epoch, mixed
// with this device's share of the epoch (devicegrants.go), as this process
// knows it: opened before, derived by an admin, or opened from the session
// user's grant; nil when none of them has it or the device has no share.
func (s *Session) orgClassKey(epoch int, c sealClass) []byte {
	keys := s.db.keys
	name := grantName(epoch, c)
	if k := keys.classes.org(name); k != nil {
		return k
	}
	if s.keys == nil || s.entry == nil {
		return nil
	}
	var raw []byte
	if seed, ok := s.heldRootSeed(); ok {
		raw = classKeyFromRoot(seed, c, epoch)
	} else if sealed, ok := s.dir().ClassGrants[name]; ok {
		k, ok := s.keys.openSealed(sealed)
		if !ok || len(k) != 32 {
			return nil
		}
		raw = k
	} else {
		return nil
	}
	keys.classes.putOrg(rawName(name), raw)
	eff, err := s.db.epochKey(epoch, raw)
	if err != nil {
		return nil // a device revoked before the epoch began opens nothing of it
	}
	keys.classes.putOrg(name, eff)
	return eff
}

// rawName is where the process keeps an organisation class key as derived
// from the root, before it is mixed with the device share: the key of the
// class's write-only envelopes (deskpay.go).
func rawName(name string) string { return "raw/" + name }

// ensureClassGrants runs at an admin's login: every user of the directory
// gets the class grants their role holds up to the current epoch, and
// loses those it no longer holds, re-signed by the admin. It is how a
// store upgraded from before class keys, or a role changed, reaches the
// new key model; it writes nothing when nothing is missing.
func (s *Session) ensureClassGrants() error {
	seed, ok := s.heldRootSeed()
	if !ok {
		return nil
	}
	db := s.db
	epoch := db.epochNow()
	var stale []*dirEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDirectory).ForEach(func(_, v []byte) error {
			e, err := decodeDirEntry(v)
			if err != nil || verifyEntry(tx, db.root, e) != nil {
				return nil
			}
			changed, err := e.grantClasses(seed, epoch)
			if err != nil {
				return err
			}
			if changed {
				stale = append(stale, e)
			}
			return nil
		})
	})
	if err != nil || len(stale) == 0 {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, e := range stale {
			e.sign(s.user.Name, s.keys.sign)
			if err := putEntry(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// org returns an organisation class key the process has opened, or nil.
func (s *classSet) org(name string) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.orgKeys[name]
}

// putOrg remembers an opened organisation class key.
func (s *classSet) putOrg(name string, k []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orgKeys == nil {
		s.orgKeys = map[string][]byte{}
	}
	s.orgKeys[name] = k
}

// regrantClasses runs in every admin edit of a user (lifecycle.go: role,
// disable, enable, reset): the user's class grants are made again for the
// role, state and key pair they now have, and this store's copies of its
// class keys sealed to them are dropped, to be sealed again to their
// current key by maintainClassWraps after the commit.
func (s *Session) regrantClasses(tx *bolt.Tx, e *dirEntry) error {
	e.ClassGrants = nil
	if seed, ok := s.heldRootSeed(); ok {
		if _, err := e.grantClasses(seed, epochIn(tx)); err != nil {
			return err
		}
	}
	b := tx.Bucket(bucketClassKeys)
	if b == nil {
		return nil
	}
	for _, c := range sealClasses {
		if err := b.Delete(metaClassUser(c, e.User.Name)); err != nil {
			return err
		}
	}
	return nil
}
