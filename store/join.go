package store

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// JoinOptions are what a workstation joining an existing organisation
// brings: what the inviting admin handed over (the organisation, the
// directory, a device key the org root key already endorsed) and the root
// key's fingerprint from the join code, plus a user of the directory who is
// present to unlock the org key.
type JoinOptions struct {
	Org Org
	// Root is the org root public key; it must hash to RootFingerprint.
	Root            ed25519.PublicKey
	RootFingerprint []byte
	// Directory is the signed directory, as DirectoryEntries returns it.
	Directory [][]byte
	// DeviceSeed is the private key of this workstation's device.
	DeviceSeed []byte
	User       string
	Passphrase string
}

// ErrRootMismatch is returned when the root key handed over does not match
// the fingerprint pinned by the join code.
var ErrRootMismatch = core.NewError(core.ClassSync, "store: the organisation's root key does not match the join code")

// Join creates a store at path for a workstation joining an organisation:
// it pins the root key (checked against the join code's fingerprint),
// imports the directory (every entry verified against that root), and makes
// a store key wrapped under the org key that the given user unlocks with
// their passphrase. It refuses to overwrite anything and writes nothing
// when any check fails.
func Join(path string, j JoinOptions, opts Options) error {
	if !RootMatches(j.Root, j.RootFingerprint) {
		return ErrRootMismatch
	}
	if len(j.DeviceSeed) != ed25519.SeedSize {
		return fmt.Errorf("%w: the device key handed over is malformed", core.ErrInvalid)
	}
	if _, err := time.LoadLocation(j.Org.Zone); err != nil || j.Org.ID == "" || j.Org.Epoch < 1 {
		return fmt.Errorf("%w: the organisation handed over is malformed", core.ErrInvalid)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, path)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: creating %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		if err := createBuckets(tx); err != nil {
			return err
		}
		orgKey, err := joinDirectory(tx, j)
		if err != nil {
			return err
		}
		if err := writeKeys(tx, j.Org, j.Root, orgKey, ed25519.NewKeyFromSeed(j.DeviceSeed)); err != nil {
			return err
		}
		_, err = createClassKeys(tx, j.Root)
		return err
	})
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// joinDirectory writes and verifies the directory in tx and unlocks the
// joining user's grant of the current epoch's org key.
func joinDirectory(tx *bolt.Tx, j JoinOptions) ([]byte, error) {
	users, shares := splitShares(j.Directory)
	for i, raw := range users {
		e, err := decodeDirEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrBadDirectory, i, err)
		}
		if err := putEntry(tx, e); err != nil {
			return nil, err
		}
	}
	var me *dirEntry
	for _, raw := range users {
		e, _ := decodeDirEntry(raw)
		if err := verifyEntry(tx, j.Root, e); err != nil {
			return nil, fmt.Errorf("%w: user %s: %v", ErrBadDirectory, e.User.Name, err)
		}
		if e.User.Name == j.User {
			me = e
		}
	}
	if _, err := importShares(tx, j.Root, shares); err != nil {
		return nil, err
	}
	if me == nil {
		return nil, core.ErrAuth
	}
	keys, err := me.unlock(j.Passphrase)
	if err != nil {
		return nil, err
	}
	return me.orgKey(j.Org.Epoch, keys)
}

// RootMatches reports whether a root public key hashes to a fingerprint
// (the SHA-256 of the key, or a prefix of it of at least 16 bytes).
func RootMatches(root ed25519.PublicKey, fingerprint []byte) bool {
	if len(root) != ed25519.PublicKeySize || len(fingerprint) < 16 {
		return false
	}
	sum := RootFingerprint(root)
	return len(fingerprint) <= len(sum) && string(sum[:len(fingerprint)]) == string(fingerprint)
}

// RootFingerprint is the SHA-256 of a root public key, which a join code
// carries so the joining workstation can pin the right organisation.
func RootFingerprint(root ed25519.PublicKey) []byte {
	return sha256Sum(root)
}
