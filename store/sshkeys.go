package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/ssh"

	"medisecure/core"
)

var (
	// ErrUnknownKey is returned when an SSH public key is registered to no
	// one, or to a user who is disabled or no longer in the directory.
	ErrUnknownKey = core.NewError(core.ClassAuth, "store: this terminal's key is not registered")
	// ErrBadKey is returned when a file given as an SSH public key is not
	// one.
	ErrBadKey = core.NewError(core.ClassValidation, "store: not an SSH public key")
	// ErrStoreLocked is returned when a key-only session is asked for
	// before anyone has unlocked the store in this process.
	ErrStoreLocked = core.NewError(core.ClassAuth, "store: locked until someone logs in")
)

// bucketSSHKeys holds the SSH public keys of thin terminals by their
// SHA256 fingerprint. Public keys are not secret and the SSH server must
// find a key's user before anyone logs in, so they are stored in clear;
// a key only lets a terminal reach the login screen. Created on first use.
var bucketSSHKeys = []byte("ssh_keys")

// SSHKey is a thin terminal's public key and the user it belongs to.
type SSHKey struct {
	// Fingerprint is the key's SHA256 fingerprint as ssh-keygen -l prints it.
	Fingerprint string `json:"fingerprint"`
	User        string `json:"user"`
	// Type is the key algorithm, such as ssh-ed25519.
	Type string `json:"type"`
	// Comment is the comment of the authorized_keys line, such as
	// "dr@room3".
	Comment string    `json:"comment"`
	Added   time.Time `json:"added"`
	AddedBy string    `json:"added_by"`
	// Line is the key in authorized_keys form, without the comment.
	Line string `json:"line"`
}

// ParseSSHKey reads one public key in authorized_keys form (the contents
// of an id_ed25519.pub file) and returns it with its fingerprint.
func ParseSSHKey(authorized []byte) (SSHKey, error) {
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(authorized)
	if err != nil {
		return SSHKey{}, fmt.Errorf("%w: expected a line like the contents of ~/.ssh/id_ed25519.pub", ErrBadKey)
	}
	if core.CheckText(core.KindSSHKey, "comment", comment, false) != nil || len(comment) > 200 {
		// The comment is only a label; a hostile one is not kept.
		comment = ""
	}
	return SSHKey{
		Fingerprint: ssh.FingerprintSHA256(pub),
		Type:        pub.Type(),
		Comment:     comment,
		Line:        strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
	}, nil
}

// AddSSHKey registers a terminal's public key (authorized_keys form) to a
// user of the directory (admins only). A key belongs to one user; adding
// it again for the same user changes nothing.
func (s *Session) AddSSHKey(user string, authorized []byte) (SSHKey, error) {
	if err := s.authorize(core.ActCreate, core.KindSSHKey); err != nil {
		return SSHKey{}, err
	}
	k, err := ParseSSHKey(authorized)
	if err != nil {
		return SSHKey{}, err
	}
	k.User, k.Added, k.AddedBy = user, s.db.opts.now(), s.user.Name
	err = s.db.bolt.Update(func(tx *bolt.Tx) error {
		u, err := s.lookupUser(tx, user)
		if err != nil {
			return fmt.Errorf("%w: no user %s", ErrNotFound, user)
		}
		if u.Disabled {
			return fmt.Errorf("%w: %s is disabled", core.ErrInvalid, user)
		}
		b, err := tx.CreateBucketIfNotExists(bucketSSHKeys)
		if err != nil {
			return fmt.Errorf("store: adding a terminal key: %w", err)
		}
		if v := b.Get([]byte(k.Fingerprint)); v != nil {
			var old SSHKey
			if err := json.Unmarshal(v, &old); err != nil {
				return corrupt("terminal key "+k.Fingerprint, err)
			}
			if old.User != user {
				return fmt.Errorf("%w: this key is already registered to %s", ErrUserExists, old.User)
			}
			k = old
			return nil
		}
		return b.Put([]byte(k.Fingerprint), mustJSON(k))
	})
	return k, err
}

// SSHKeys lists the registered terminal keys by user, then fingerprint
// (admins only); user filters when not empty.
func (s *Session) SSHKeys(user string) ([]SSHKey, error) {
	if err := s.authorize(core.ActRead, core.KindSSHKey); err != nil {
		return nil, err
	}
	var out []SSHKey
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSSHKeys)
		if b == nil {
			return nil
		}
		return b.ForEach(func(fp, v []byte) error {
			var k SSHKey
			if err := json.Unmarshal(v, &k); err != nil {
				return corrupt("terminal key "+string(fp), err)
			}
			if user == "" || k.User == user {
				out = append(out, k)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].User != out[j].User {
			return out[i].User < out[j].User
		}
		return out[i].Fingerprint < out[j].Fingerprint
	})
	return out, err
}

// RemoveSSHKey unregisters a terminal key by its fingerprint, or every key
// of a user when ref names a user (admins only). It returns the keys
// removed, or ErrNotFound when ref matches none.
func (s *Session) RemoveSSHKey(ref string) ([]SSHKey, error) {
	if err := s.authorize(core.ActDelete, core.KindSSHKey); err != nil {
		return nil, err
	}
	var gone []SSHKey
	err := s.db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSSHKeys)
		if b == nil {
			return fmt.Errorf("%w: no terminal key %s", ErrNotFound, ref)
		}
		var drop [][]byte
		err := b.ForEach(func(fp, v []byte) error {
			var k SSHKey
			if err := json.Unmarshal(v, &k); err != nil {
				return corrupt("terminal key "+string(fp), err)
			}
			if k.Fingerprint == ref || k.User == ref {
				gone = append(gone, k)
				drop = append(drop, bytes.Clone(fp))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(drop) == 0 {
			return fmt.Errorf("%w: no terminal key %s", ErrNotFound, ref)
		}
		for _, fp := range drop {
			if err := b.Delete(fp); err != nil {
				return fmt.Errorf("store: removing a terminal key: %w", err)
			}
		}
		return nil
	})
	return gone, err
}

// UserOfKey returns the user a terminal key (by fingerprint) is
// registered to, before anyone logs in: the SSH server asks it to refuse
// an unknown key before showing any screen. A key of a user who was
// disabled or left the directory is unknown.
func (db *DB) UserOfKey(fingerprint string) (string, error) {
	var user string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSSHKeys)
		if b == nil {
			return ErrUnknownKey
		}
		v := b.Get([]byte(fingerprint))
		if v == nil {
			return ErrUnknownKey
		}
		var k SSHKey
		if err := json.Unmarshal(v, &k); err != nil {
			return corrupt("terminal key "+fingerprint, err)
		}
		e, err := getEntry(tx, k.User)
		if err != nil || verifyEntry(tx, db.root, e) != nil || e.User.Disabled {
			return ErrUnknownKey
		}
		user = k.User
		return nil
	})
	return user, err
}

// KeySession opens a read-only session for a user whose terminal key the
// SSH server checked, without their passphrase: commands over SSH that
// only read run in it. It needs the store unlocked in this process (by a
// login, or by clinic serve --unlock), else ErrStoreLocked. Every write
// through it is refused with core.ErrDenied: writing needs the person's
// passphrase (Login).
func (db *DB) KeySession(user string) (*Session, error) {
	db.mu.Lock()
	unlocked := db.keys != nil
	db.mu.Unlock()
	if !unlocked {
		return nil, fmt.Errorf("%w: log in on a thin terminal first, or serve with clinic serve --unlock", ErrStoreLocked)
	}
	var entry *dirEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e, err := getEntry(tx, user)
		if err != nil {
			return ErrUnknownKey
		}
		if err := verifyEntry(tx, db.root, e); err != nil {
			return err
		}
		if e.User.Disabled {
			return ErrUnknownKey
		}
		entry = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Session{db: db, user: entry.User, keys: &userKeys{}, entry: entry, readOnly: true}, nil
}
