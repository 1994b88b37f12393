package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// migration is one numbered step of the store's layout, from version to-1
// to version to, in one read-write transaction that also records the new
// version. Most steps rewrite indexes whose keys are keyed hashes, or read
// sealed records, so they need the store keys: such a step (keyed) runs at
// the first unlock after Open, and until then the store stays at the
// version before it, as do all later steps. A step that needs no keys
// (clear) runs in Open.
type migration struct {
	to   uint64
	what string
	// Exactly one of clear and keyed is set.
	clear func(tx *bolt.Tx) error
	keyed func(t *txn) error
}

// migrations are every step from the first layout (version 1) to
// SchemaVersion, in order, one per version.
var migrations = []migration{
	{to: 2, what: "clinical notes indexed by patient; replaces the back-fill v1 stores ran at every unlock until it had run once (meta notes_indexed)", keyed: migrateNoteIndex},
	{to: 3, what: "appointments indexed by patient and start, for a patient's visit history and upcoming appointments", keyed: migrateVisitIndex},
	{to: 4, what: "billing: a records bucket for the fee schedule; invoices indexed by patient and payments by invoice (billing.go)", keyed: migrateBilling},
	{to: 5, what: "a bucket for note drafts (core.KindNoteDraft)", clear: migrateDraftBucket},
	{to: 6, what: "chart records (allergies, problems, medications, vitals, prescriptions, refills, reminders, adherence, addenda, drafts) indexed by patient", keyed: migrateClinicalIndex},
	{to: 7, what: "the chart's clinical records filed again through the index table under their own class (they shared 'C' with the conflicts)", keyed: migrateClinicalClass},
	{to: 8, what: "a bucket for read receipts of messages (core.KindReceipt)", clear: migrateReceiptBucket},
	{to: 9, what: "buckets for the notification setup and the delivery steps (core.KindNotifyConfig, core.KindDelivery)", clear: migrateNotifyBuckets},
}

// schemaOf reads the version a store records.
func schemaOf(tx *bolt.Tx) (uint64, bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil || len(meta.Get(metaSchema)) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(meta.Get(metaSchema)), true
}

// rootInOrder reports whether the file's top-level keys read as bbolt
// writes them, strictly ascending: a damaged root page (its element count
// flipped, say) hides every bucket, which must read as a damaged store,
// not as some other file.
func rootInOrder(tx *bolt.Tx) bool {
	var prev []byte
	c := tx.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return false
		}
		prev = k
	}
	return true
}

// ourBuckets reports whether tx holds any bucket a store has besides
// meta: a file with them but no meta bucket is a damaged store, not some
// other bbolt file.
func ourBuckets(tx *bolt.Tx) bool {
	for _, name := range allBuckets {
		if string(name) != string(bucketMeta) && tx.Bucket(name) != nil {
			return true
		}
	}
	return false
}

// migrate runs at Open: it refuses a store newer than this code and runs
// the clear steps an older one needs, up to the first keyed step.
func (db *DB) migrate() error {
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		got, ok := schemaOf(tx)
		switch {
		case tx.Bucket(bucketMeta) == nil && ourBuckets(tx):
			return fmt.Errorf("%w: %s has lost its meta bucket", ErrCorrupt, db.path)
		case !ok && !rootInOrder(tx):
			return damaged(db.path)
		case !ok:
			return fmt.Errorf("%w: %s", ErrNotStore, db.path)
		}
		v = got
		return nil
	})
	switch {
	case err != nil:
		return err
	case v > SchemaVersion:
		return fmt.Errorf("%w: %s has schema %d, this program reads up to %d", ErrNewerSchema, db.path, v, SchemaVersion)
	case v == 0:
		return fmt.Errorf("%w: %s has unknown schema %d", ErrCorrupt, db.path, v)
	}
	return db.runMigrations(v, nil)
}

// migrateKeyed runs at the first unlock: the steps Open left because they
// need the keys, and any after them. The caller holds db.mu and has set
// db.keys.
func (db *DB) migrateKeyed() error {
	var v uint64
	db.bolt.View(func(tx *bolt.Tx) error {
		v, _ = schemaOf(tx)
		return nil
	})
	return db.runMigrations(v, db.keys)
}

// runMigrations runs every step after version v in order, each in its own
// transaction; without keys it stops before the first keyed step.
func (db *DB) runMigrations(v uint64, keys *storeKeys) error {
	for _, m := range migrations {
		if m.to <= v {
			continue
		}
		if m.keyed != nil && keys == nil {
			return nil
		}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if m.clear != nil {
				if err := m.clear(tx); err != nil {
					return err
				}
			} else if err := m.keyed(&txn{tx: tx, s: &Session{db: db}, keys: keys, search: searchBatch{}, appts: map[core.ID]*core.Appointment{}}); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(metaSchema, u64(m.to))
		})
		if err != nil {
			return fmt.Errorf("store: migrating %s to schema %d (%s): %w", db.path, m.to, m.what, err)
		}
	}
	return nil
}

// migrateNoteIndex (v2) files every note under its patient. A v1 store may
// have done so already at an unlock (the marker says so); filing a note
// twice writes the same key, so the step does not look.
func migrateNoteIndex(t *txn) error {
	if err := t.reindexAll(core.KindNote); err != nil {
		return err
	}
	return t.tx.Bucket(bucketMeta).Delete(metaNotesIndexed)
}

// migrateVisitIndex (v3) files every appointment under its patient (and
// again under its day, which changes nothing).
func migrateVisitIndex(t *txn) error { return t.reindexAll(core.KindAppointment) }

// oldClinicalKeyLen is the length of a clinical index key before schema 7:
// 'C' ‖ hash (8) ‖ record ID (12). A conflict key is 'C' ‖ ID ‖ ID, 25.
const oldClinicalKeyLen = 1 + 8 + 12

// migrateClinicalClass (v7) drops the clinical index entries filed under
// 'C' and files the chart's records again through the index table.
func migrateClinicalClass(t *txn) error {
	b := t.tx.Bucket(bucketSchedule)
	var stale [][]byte
	c := b.Cursor()
	for k, _ := c.Seek([]byte{classConflict}); k != nil && k[0] == classConflict; k, _ = c.Next() {
		if len(k) == oldClinicalKeyLen {
			stale = append(stale, append([]byte(nil), k...))
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return t.reindexAll(clinicalKindList...)
}
