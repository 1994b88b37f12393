package store

import (
	"crypto/ed25519"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// Key rotation. Revoking a device starts a new key epoch: a fresh org key,
// granted to every user by sealing it to their public key (no passphrase is
// needed), their directory entries re-signed with the org root key, and
// this store's key re-wrapped under it. Changes sealed from then on use the
// new epoch, which a revoked device never receives. Old grants stay, so old
// batches still open.

// RotateEpoch starts a new key epoch (admins holding the root key only) and
// returns its number. The re-signed directory entries reach the other
// workstations through sync; each adopts the new epoch at its next login.
func (s *Session) RotateEpoch() (int, error) { return s.rotate(nil, false) }

// RotateEpochFor is RotateEpoch for a revocation: the new epoch also gets a
// device share for each device given (those that stay) and this one, so
// that a device left out, the revoked one, cannot open what is sealed
// under it whatever the server does. The device keys must be ones the org
// root key endorsed.
func (s *Session) RotateEpochFor(devices map[string]ed25519.PublicKey) (int, error) {
	return s.rotate(devices, true)
}

// rotate starts a new epoch, with device shares when bind is set, and
// grants the class keys of the new epoch.
func (s *Session) rotate(devices map[string]ed25519.PublicKey, bind bool) (int, error) {
	epoch, err := s.rotateLocked(devices, bind)
	if err != nil {
		return 0, err
	}
	return epoch, s.unlockClasses()
}

// rotateLocked is rotate's new epoch, under db.mu.
func (s *Session) rotateLocked(devices map[string]ed25519.PublicKey, bind bool) (int, error) {
	if err := s.authorize(core.ActUpdate, core.KindDevice); err != nil {
		return 0, err
	}
	seed, ok := s.keys.openSealed(s.dir().RootGrant)
	if !ok || len(seed) != ed25519.SeedSize {
		return 0, &core.DeniedError{Role: s.user.Role, Action: core.ActUpdate, Kind: core.KindDevice, Reason: "this admin holds no grant of the org root key"}
	}
	root := ed25519.NewKeyFromSeed(seed)
	orgKey := randomKey()
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	epoch := db.org.Epoch + 1
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var entries []*dirEntry
		err := tx.Bucket(bucketDirectory).ForEach(func(k, v []byte) error {
			e, err := decodeDirEntry(v)
			if err != nil {
				return corrupt("directory entry "+string(k), err)
			}
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.User.Disabled {
				continue // a disabled user is not granted the new epoch
			}
			if err := e.grant(epoch, orgKey); err != nil {
				return err
			}
			if _, err := e.grantClasses(seed, epoch); err != nil {
				return err
			}
			e.sign(rootSigner, root)
			if err := putEntry(tx, e); err != nil {
				return err
			}
		}
		if bind {
			all := map[string]ed25519.PublicKey{db.dev.ID: db.dev.Public}
			for id, pub := range devices {
				all[id] = pub
			}
			shares, err := newShares(epoch, all, root)
			if err != nil {
				return err
			}
			for _, d := range shares {
				if _, err := putShare(tx, d); err != nil {
					return err
				}
			}
		}
		return db.adoptEpoch(tx, epoch, orgKey)
	})
	if err != nil {
		return 0, err
	}
	db.keys.epoch, db.keys.orgKey = epoch, orgKey
	return epoch, nil
}

// adoptEpoch re-wraps the store key under the org key of a newer epoch and
// records the epoch, in tx. The caller holds db.mu.
func (db *DB) adoptEpoch(tx *bolt.Tx, epoch int, orgKey []byte) error {
	sealer, err := newSealer(orgKey)
	if err != nil {
		return err
	}
	storeKey, err := db.storeKeyBytes(tx)
	if err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(metaStoreKey, sealer.seal(bucketMeta, metaStoreKey, storeKey)); err != nil {
		return err
	}
	org := db.org
	org.Epoch = epoch
	if err := meta.Put(metaOrg, mustJSON(org)); err != nil {
		return err
	}
	db.org = org
	return nil
}

// storeKeyBytes opens the store key with the current epoch's org key.
func (db *DB) storeKeyBytes(tx *bolt.Tx) ([]byte, error) {
	sealer, err := newSealer(db.keys.orgKey)
	if err != nil {
		return nil, err
	}
	sk, err := sealer.open(bucketMeta, metaStoreKey, tx.Bucket(bucketMeta).Get(metaStoreKey))
	if err != nil {
		return nil, corrupt(db.path+" store key", nil)
	}
	return sk, nil
}

// newestGrant is the highest epoch the entry holds a grant for.
func (e *dirEntry) newestGrant() int {
	n := 0
	for k := range e.Grants {
		if v, err := strconv.Atoi(k); err == nil && v > n {
			n = v
		}
	}
	return n
}

// catchUpEpoch moves the store to the newest epoch the logged-in user was
// granted, when a rotation made elsewhere has arrived in the directory.
func (s *Session) catchUpEpoch() error {
	db := s.db
	entry := s.dir()
	newest := entry.newestGrant()
	db.mu.Lock()
	defer db.mu.Unlock()
	if newest <= db.org.Epoch {
		return nil
	}
	orgKey, err := entry.orgKey(newest, s.keys)
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error { return db.adoptEpoch(tx, newest, orgKey) })
	if err != nil {
		return fmt.Errorf("store: moving to key epoch %d: %w", newest, err)
	}
	db.keys.epoch, db.keys.orgKey = newest, orgKey
	return nil
}
