package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// User lifecycle: disable, enable, change role, change passphrase, reset.
// Every change but the passphrase's is a new version of the user's
// directory entry signed by the admin who made it; the directory syncs, so
// it takes effect on every workstation after one sync (Login reads the
// entry, and pulled changes are judged by the role and state their author
// had at the change's time, core.User.RoleAt and ActiveAt).

// ErrResetPending is returned by Login for a user an admin reset: they set
// a new passphrase with their reset code first (RedeemReset).
var ErrResetPending = core.ErrResetPending

// ErrNoReset is returned by RedeemReset when the user has no reset waiting.
var ErrNoReset = core.NewError(core.ClassAuth, "store: no reset is waiting for this account; log in with your passphrase")

// ErrBadResetCode is returned by RedeemReset for a wrong user or code.
var ErrBadResetCode = core.NewError(core.ClassAuth, "store: wrong user or reset code")

// minPassphrase is the shortest passphrase a user may set.
const minPassphrase = 8

// checkPassphrase refuses a passphrase that is too short.
func checkPassphrase(p string) error {
	if len(p) < minPassphrase {
		return &core.ValidationError{Kind: core.KindUser, Fields: []core.FieldError{{Field: "passphrase", Message: fmt.Sprintf("must be at least %d characters", minPassphrase)}}}
	}
	return nil
}

// refuse is a validation error about one field of a user.
func refuse(field, msg string) error {
	return &core.ValidationError{Kind: core.KindUser, Fields: []core.FieldError{{Field: field, Message: msg}}}
}

// editUser changes another user's directory entry in one transaction and
// signs the new version as the session's admin.
func (s *Session) editUser(name string, fn func(tx *bolt.Tx, e *dirEntry) error) error {
	if err := s.authorize(core.ActUpdate, core.KindUser); err != nil {
		return err
	}
	err := s.db.bolt.Update(func(tx *bolt.Tx) error {
		e, err := getEntry(tx, name)
		if err != nil {
			return err
		}
		if err := verifyEntry(tx, s.db.root, e); err != nil {
			return err
		}
		if err := fn(tx, e); err != nil {
			return err
		}
		if err := s.regrantClasses(tx, e); err != nil {
			return err
		}
		e.sign(s.user.Name, s.keys.sign)
		return putEntry(tx, e)
	})
	if err != nil {
		return err
	}
	return s.db.maintainClassWraps()
}

// otherAdmins counts the enabled admins besides name.
func otherAdmins(tx *bolt.Tx, name string) (int, error) {
	n := 0
	err := tx.Bucket(bucketDirectory).ForEach(func(k, v []byte) error {
		e, err := decodeDirEntry(v)
		if err != nil {
			return corrupt("directory entry "+string(k), err)
		}
		if e.User.Name != name && e.User.Role == core.RoleAdmin && !e.User.Disabled {
			n++
		}
		return nil
	})
	return n, err
}

// rootSeed opens the org root key the session's admin was granted.
func (s *Session) rootSeed() ([]byte, error) {
	seed, ok := s.keys.openSealed(s.dir().RootGrant)
	if !ok || len(seed) != ed25519.SeedSize {
		return nil, &core.DeniedError{Role: s.user.Role, Action: core.ActUpdate, Kind: core.KindUser, Reason: "this admin holds no grant of the org root key"}
	}
	return seed, nil
}

// DisableUser disables a user (admins holding the root key only): from the
// next sync on they log in on no workstation, and their changes stamped
// after now are quarantined everywhere. It then starts a new key epoch
// (RotateEpoch), which the disabled user is not granted, and returns it.
// An admin cannot disable themselves or the last enabled admin.
func (s *Session) DisableUser(name string) (int, error) {
	if _, err := s.rootSeed(); err != nil {
		return 0, err
	}
	if name == s.user.Name {
		return 0, refuse("name", "you cannot disable your own account")
	}
	at, err := s.db.clock.Now()
	if err != nil {
		return 0, fmt.Errorf("store: %w; set this workstation's clock right", err)
	}
	err = s.editUser(name, func(tx *bolt.Tx, e *dirEntry) error {
		if e.User.Disabled {
			return refuse("name", "is disabled already")
		}
		e.User.Disabled, e.User.DisabledAt, e.RootGrant = true, at, nil
		return nil
	})
	if err != nil {
		return 0, err
	}
	return s.RotateEpoch()
}

// EnableUser enables a disabled user again and grants them every key
// epoch the admin holds, those started while they were disabled included.
func (s *Session) EnableUser(name string) error {
	return s.editUser(name, func(tx *bolt.Tx, e *dirEntry) error {
		if !e.User.Disabled {
			return refuse("name", "is enabled already")
		}
		e.User.Disabled, e.User.DisabledAt = false, 0
		if err := s.grantEpochs(tx, e, false); err != nil {
			return err
		}
		if e.User.Role == core.RoleAdmin {
			return s.grantRoot(e)
		}
		return nil
	})
}

// grantEpochs seals to e every epoch's org key the session's user holds
// (as their entry stands in tx: a rotation since login added one); all
// replaces e's grants, else only missing epochs are added.
func (s *Session) grantEpochs(tx *bolt.Tx, e *dirEntry, all bool) error {
	mine, err := getEntry(tx, s.user.Name)
	if err != nil {
		return err
	}
	if all {
		e.Grants = map[string][]byte{}
	}
	for epoch := range mine.Grants {
		if _, ok := e.Grants[epoch]; ok {
			continue
		}
		n, err := strconv.Atoi(epoch)
		if err != nil {
			return corrupt("the grants of "+s.user.Name, err)
		}
		key, err := mine.orgKey(n, s.keys)
		if err != nil {
			return err
		}
		if err := e.grant(n, key); err != nil {
			return err
		}
	}
	return nil
}

// resignSignedBy signs again with the org root key every entry that admin
// signed: an entry verifies only through an enabled admin's current key,
// which an admin who leaves the role or is reset no longer has.
func (s *Session) resignSignedBy(tx *bolt.Tx, admin string) error {
	seed, err := s.rootSeed()
	if err != nil {
		return err
	}
	root := ed25519.NewKeyFromSeed(seed)
	var signed []*dirEntry
	err = tx.Bucket(bucketDirectory).ForEach(func(k, v []byte) error {
		e, err := decodeDirEntry(v)
		if err != nil {
			return corrupt("directory entry "+string(k), err)
		}
		if e.SignedBy == admin && e.User.Name != admin {
			signed = append(signed, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range signed {
		e.sign(rootSigner, root)
		if err := putEntry(tx, e); err != nil {
			return err
		}
	}
	return nil
}

// grantRoot seals the org root key to an admin's entry.
func (s *Session) grantRoot(e *dirEntry) error {
	seed, err := s.rootSeed()
	if err != nil {
		return err
	}
	e.RootGrant, err = e.sealTo(seed)
	return err
}

// SetRole changes a user's role (admins only). The role they held until
// now is kept (core.User.FormerRoles), so their earlier changes are still
// judged by it. Becoming an admin grants the org root key (the admin must
// hold it); leaving the role drops the grant. The last enabled admin keeps
// the role.
func (s *Session) SetRole(name string, role core.Role) error {
	if _, err := core.ParseRole(string(role)); err != nil {
		return refuse("role", "must be one of admin, reception, doctor, nurse, billing")
	}
	at, err := s.db.clock.Now()
	if err != nil {
		return fmt.Errorf("store: %w; set this workstation's clock right", err)
	}
	return s.editUser(name, func(tx *bolt.Tx, e *dirEntry) error {
		old := e.User.Role
		if old == role {
			return refuse("role", "is "+string(role)+" already")
		}
		if old == core.RoleAdmin {
			n, err := otherAdmins(tx, name)
			if err != nil {
				return err
			}
			if n == 0 {
				return refuse("role", "stays admin: "+name+" is the last enabled admin")
			}
			e.RootGrant = nil
			if err := s.resignSignedBy(tx, name); err != nil {
				return err
			}
		}
		e.User.FormerRoles = append(e.User.FormerRoles, core.FormerRole{Role: old, Until: at})
		e.User.Role = role
		if role == core.RoleAdmin {
			return s.grantRoot(e)
		}
		return nil
	})
}

// ChangePassphrase re-seals the session user's private keys under a new
// passphrase, after checking the old one (core.ErrAuth when wrong). The
// new key part is signed with the user's own key; other workstations take
// it at their next sync.
func (s *Session) ChangePassphrase(old, passphrase string) error {
	if s.readOnly {
		return ErrNoSigningKey
	}
	if err := checkPassphrase(passphrase); err != nil {
		return err
	}
	return s.db.bolt.Update(func(tx *bolt.Tx) error {
		e, err := getEntry(tx, s.user.Name)
		if err != nil {
			return err
		}
		if _, err := e.unlock(old); err != nil {
			return err
		}
		return s.db.resealKeys(tx, e, s.keys, passphrase)
	})
}

// resealKeys seals keys under passphrase as e's new key part, signed,
// with no reset waiting, and writes the entry.
func (db *DB) resealKeys(tx *bolt.Tx, e *dirEntry, keys *userKeys, passphrase string) error {
	kdf := db.opts.kdf()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("store: reading a random salt: %w", err)
	}
	sealer, err := newSealer(kdf.derive(passphrase, salt))
	if err != nil {
		return err
	}
	plain := append(append([]byte{}, keys.box[:]...), keys.sign.Seed()...)
	e.KDF, e.Salt, e.Reset = kdf, salt, false
	e.Private = sealer.seal(bucketDirectory, []byte(e.User.Name), plain)
	e.signKeyPart(e.KeyVersion+1, keys.sign)
	return putEntry(tx, e)
}

// resetAlphabet writes reset codes: no 0/O or 1/I to misread.
var resetEncoding = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// ResetUser gives a user who lost their passphrase new key pairs, sealed
// under a fresh one-time reset code, and grants the new keys every key
// epoch the admin holds (and, for an admin, the org root key); it returns
// the code for the admin to hand over. The user's old keys and grants are
// dropped. Until the user sets a passphrase with the code (RedeemReset)
// they cannot log in. The admin learns the code, never the passphrase the
// user then sets; see docs/users.md for what the code opens.
func (s *Session) ResetUser(name string) (string, error) {
	if name == s.user.Name {
		return "", refuse("name", "you cannot reset your own account; use clinic passwd")
	}
	raw := make([]byte, 15)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("store: reading a random code: %w", err)
	}
	code := formatCode(resetEncoding.EncodeToString(raw))
	at, err := s.db.clock.Now()
	if err != nil {
		return "", fmt.Errorf("store: %w; set this workstation's clock right", err)
	}
	err = s.editUser(name, func(tx *bolt.Tx, e *dirEntry) error {
		if e.User.Disabled {
			return refuse("name", "is disabled; enable the account first")
		}
		fresh, keys, err := newUserEntry(e.User, normalCode(code), s.db.opts.kdf())
		if err != nil {
			return err
		}
		// Their changes signed so far still verify, those after now not.
		e.User.FormerKeys = append(e.User.FormerKeys, core.FormerKey{Public: e.SignPub, Until: at})
		if e.User.Role == core.RoleAdmin {
			if err := s.resignSignedBy(tx, name); err != nil {
				return err
			}
		}
		e.BoxPub, e.SignPub, e.KDF, e.Salt, e.Private, e.Reset = fresh.BoxPub, fresh.SignPub, fresh.KDF, fresh.Salt, fresh.Private, true
		e.signKeyPart(e.KeyVersion+1, keys.sign)
		e.RootGrant = nil
		if err := s.grantEpochs(tx, e, true); err != nil {
			return err
		}
		if e.User.Role == core.RoleAdmin {
			return s.grantRoot(e)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// formatCode groups a code in fours for reading aloud.
func formatCode(c string) string {
	var b strings.Builder
	for i, r := range c {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalCode is a code as typed, upper case without spaces and dashes.
func normalCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(c))
}

// RedeemReset sets a new passphrase for a user an admin reset, with the
// reset code the admin gave them. A wrong code gives ErrBadResetCode and
// counts as a failed login; a user with no reset waiting gets ErrNoReset.
// Once used, the code opens nothing: the keys are sealed under the new
// passphrase only.
func (db *DB) RedeemReset(name, code, passphrase string) error {
	if err := checkPassphrase(passphrase); err != nil {
		return err
	}
	var entry *dirEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e, err := getEntry(tx, name)
		if err == nil {
			err = verifyEntry(tx, db.root, e)
		}
		entry = e
		return err
	})
	if err != nil || entry.User.Disabled {
		db.opts.kdf().Derive(code)
		return ErrBadResetCode
	}
	if !entry.Reset {
		return ErrNoReset
	}
	keys, err := db.checkedUnlock(name, entry, normalCode(code))
	if errors.Is(err, core.ErrAuth) {
		return ErrBadResetCode
	}
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return db.resealKeys(tx, entry, keys, passphrase) })
}

// checkedUnlock opens entry's keys with a secret under the login lockout:
// a locked user gets a *core.LockedError without a try, a wrong secret
// core.ErrAuth and one more failure on their count.
func (db *DB) checkedUnlock(name string, entry *dirEntry, secret string) (*userKeys, error) {
	now := db.opts.now()
	var lock lockout
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketLockout).Get([]byte(name)); v != nil {
			return json.Unmarshal(v, &lock)
		}
		return nil
	})
	if err != nil {
		return nil, corrupt("lockout record of "+name, err)
	}
	if now.Before(lock.Until) {
		return nil, &core.LockedError{Until: lock.Until.In(db.zone)}
	}
	keys, err := entry.unlock(secret)
	if err != nil {
		lock.Failures++
		lock.Until = now.Add(core.LockoutDelay(lock.Failures))
		if werr := db.setLockout(name, &lock); werr != nil {
			return nil, werr
		}
		return nil, core.ErrAuth
	}
	if lock.Failures > 0 {
		if err := db.setLockout(name, nil); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
