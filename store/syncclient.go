package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"medisecure/core"
)

// What a sync client needs of the store beyond the outbox, the cursor and
// the keys (merge.go): the org root key's signature on device records, a
// device sequence for a batch that carries only the directory, what it
// remembers between runs, and a fresh device identity for a copied store.

// Keys of bucketMeta that only the sync client reads and writes.
var (
	// metaRegistered is the address of the server this device is known to.
	metaRegistered = []byte("sync_registered")
	// metaDeviceRecord is this device's root-signed record (SyncMarks).
	metaDeviceRecord = []byte("sync_device_record")
	// metaDirPushed is the digest of the directory the server last
	// acknowledged from this device.
	metaDirPushed = []byte("sync_directory")
	// metaOutcome is what the last sync found (SyncOutcome, JSON).
	metaOutcome = []byte("sync_outcome")
)

// SignWithRoot signs msg with the org root key, which is sealed to each
// admin (RootGrant). Only admins may: it endorses devices. It returns a
// *core.DeniedError for other roles.
func (s *Session) SignWithRoot(msg []byte) ([]byte, error) {
	if err := s.authorize(core.ActCreate, core.KindDevice); err != nil {
		return nil, err
	}
	entry := s.dir()
	if len(entry.RootGrant) == 0 {
		return nil, &core.DeniedError{Role: s.user.Role, Action: core.ActCreate, Kind: core.KindDevice, Reason: "this admin holds no grant of the org root key"}
	}
	seed, ok := s.keys.openSealed(entry.RootGrant)
	if !ok || len(seed) != ed25519.SeedSize {
		return nil, corrupt("the root key grant of "+s.user.Name, nil)
	}
	return ed25519.Sign(ed25519.NewKeyFromSeed(seed), msg), nil
}

// ReserveSeq takes the next device sequence number without a change: a
// sync client seals a batch that carries only directory entries under it.
// Until the server acknowledges it, it counts as pending, which is honest:
// the directory has not reached the server.
func (s *Session) ReserveSeq() (uint64, error) {
	var seq uint64
	err := s.update(func(t *txn) error {
		t.seq++
		seq = t.seq
		return nil
	})
	return seq, err
}

// SetMaxClockAhead sets the skew bound of the store's clock: how far
// ahead of it a pulled change may be stamped before it is quarantined.
// Zero or less restores core.DefaultMaxAhead.
func (db *DB) SetMaxClockAhead(d time.Duration) { db.clock.SetMaxAhead(d) }

// MaxClockAhead is the skew bound of the store's clock.
func (db *DB) MaxClockAhead() time.Duration { return db.clock.MaxAhead() }

// SyncMarks are what a sync client remembers between runs besides Status.
type SyncMarks struct {
	// Registered is the address of the sync server this device is known
	// to (registered the organisation or was added), "" before.
	Registered string
	// Directory is the digest of the directory the server last
	// acknowledged from this device, nil before.
	Directory []byte
	// Outcome is what the last sync found.
	Outcome SyncOutcome
	// DeviceRecord is this device's record signed by the org root key, as
	// the server last listed it (the wire encoding), nil before: a
	// workstation re-presents it to a server restored from a copy that
	// predates the device.
	DeviceRecord []byte
}

// SyncOutcome is what a sync found beyond the store's own counters, kept
// so that a status read later, without the server, is as honest.
type SyncOutcome struct {
	// Problems stand in the way of "synced": a refusal, a stuck step,
	// changes the server cannot hand over, a clock off.
	Problems []string `json:"problems,omitempty"`
	// Notes are worth telling but leave the workstation synced: the
	// server had lost changes and got them back.
	Notes []string  `json:"notes,omitempty"`
	At    time.Time `json:"at"`
}

// MarkOutcome remembers what a sync found.
func (s *Session) MarkOutcome(o SyncOutcome) error {
	return s.update(func(t *txn) error {
		o.At = t.now
		return t.tx.Bucket(bucketMeta).Put(metaOutcome, mustJSON(o))
	})
}

// SyncMarks reads the sync client's marks.
func (s *Session) SyncMarks() (SyncMarks, error) {
	var m SyncMarks
	err := s.view(func(t *txn) error {
		meta := t.tx.Bucket(bucketMeta)
		m.Registered = string(meta.Get(metaRegistered))
		if v := meta.Get(metaDirPushed); v != nil {
			m.Directory = append([]byte(nil), v...)
		}
		if v := meta.Get(metaDeviceRecord); v != nil {
			m.DeviceRecord = append([]byte(nil), v...)
		}
		if v := meta.Get(metaOutcome); v != nil {
			if err := json.Unmarshal(v, &m.Outcome); err != nil {
				return corrupt("last sync outcome", err)
			}
		}
		return nil
	})
	return m, err
}

// MarkRegistered remembers that the server at addr knows this device.
func (s *Session) MarkRegistered(addr string) error {
	return s.update(func(t *txn) error { return t.tx.Bucket(bucketMeta).Put(metaRegistered, []byte(addr)) })
}

// KeepDeviceRecord keeps this device's signed record as the server listed
// it. It holds no patient data: a device ID, a public key and the org
// root's signature.
func (s *Session) KeepDeviceRecord(rec []byte) error {
	return s.update(func(t *txn) error { return t.tx.Bucket(bucketMeta).Put(metaDeviceRecord, rec) })
}

// MarkDirectoryPushed remembers the digest of the directory the server
// acknowledged from this device.
func (s *Session) MarkDirectoryPushed(digest []byte) error {
	return s.update(func(t *txn) error { return t.tx.Bucket(bucketMeta).Put(metaDirPushed, digest) })
}

// MarkPulled records that a pull completed now, caught up with the
// server, even when it brought nothing: the status bar's "last pull" is
// the last time the workstation knew it had everything.
func (s *Session) MarkPulled() error {
	return s.update(func(t *txn) error { return t.stampPulled() })
}

// NewDeviceIdentity gives a copied store its own device: a new Ed25519
// key and device ID, no pull cursor and no sync marks, and an outbox of
// the changes the server had not acknowledged, re-authored under the new
// device with sequences from one (same author, same time, same fields:
// the store they were copied from may push them too, and merging both
// gives the same records, so nothing is lost or doubled). Batches sealed
// under the old identity and never acknowledged are forgotten. Only
// admins may. It is how a cloned laptop or a backup restored on a second
// machine becomes a workstation of its own; its device must then be
// added to the server with a record the org root signed. Call it before
// anything else uses the store: sessions already open see the new
// identity, but a write in flight may carry the old one.
func (s *Session) NewDeviceIdentity() error {
	if err := s.authorize(core.ActCreate, core.KindDevice); err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("store: making a device key: %w", err)
	}
	sum := sha256.Sum256(pub)
	dev := device{ID: hex.EncodeToString(sum[:8]), Public: pub}
	err = s.update(func(t *txn) error {
		// The new device opens the key epochs the old one could.
		shares, err := s.sharesFor(t.tx, pub)
		if err != nil {
			return err
		}
		for _, d := range shares {
			if _, err := putShare(t.tx, d); err != nil {
				return err
			}
		}
		acked := t.acked()
		pending, err := t.outbox(acked)
		if err != nil {
			return err
		}
		if err := t.dropAfter(s.db.DeviceID(), acked); err != nil {
			return err
		}
		meta := t.tx.Bucket(bucketMeta)
		if err := meta.Put(metaDevice, mustJSON(dev)); err != nil {
			return err
		}
		if err := meta.Put(metaDeviceKey, t.keys.store.seal(bucketMeta, metaDeviceKey, priv.Seed())); err != nil {
			return err
		}
		for _, k := range [][]byte{metaAcked, metaPullCursor, metaPulledAt, metaServer, metaRegistered, metaDirPushed, metaOutcome, metaDeviceRecord} {
			if err := meta.Delete(k); err != nil {
				return err
			}
		}
		if err := t.tx.DeleteBucket(bucketOutbox); err != nil {
			return err
		}
		outbox, err := t.tx.CreateBucket(bucketOutbox)
		if err != nil {
			return err
		}
		t.seq = 0
		for i := range pending {
			c, err := t.openOwn(&pending[i])
			if err != nil {
				return err
			}
			t.seq++
			c.Device, c.Seq = dev.ID, t.seq
			// Merged here too, so that this record's stamps are what
			// every other replica makes of both copies.
			if _, err := t.apply(c); err != nil {
				return err
			}
			kept, err := t.sealForRest(c)
			if err != nil {
				return err
			}
			key := u64(c.Seq)
			if err := outbox.Put(key, t.keys.store.seal(bucketOutbox, key, mustJSON(kept))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.db.mu.Lock()
	s.db.dev = dev
	s.db.keys.device = priv
	s.db.mu.Unlock()
	return nil
}
