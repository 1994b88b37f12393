package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
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
	{to: 10, what: "role-scoped keys: clinical and billing records, and their changes in the outbox and the quarantine, sealed under class keys of their own (classkeys.go)", keyed: migrateClassKeys},
	{to: 11, what: "reception reads no billing record: the copies of class keys sealed to users whose role no longer holds the class (reception's billing key) are withdrawn (classkeys.go)", clear: migrateWithdrawClassCopies},
	{to: 12, what: "a patient's day is read from the visit index: the day keys per patient (day ‖ 'p' ‖ patient hash ‖ appointment) are deleted, so a booking writes one index leaf fewer (schedindex.go)", clear: migrateDropPatientDays},
	{to: 13, what: "the device sequence, the clock and the authors' chain heads move from meta to a counters bucket of their own, small enough to live in the root page every commit writes (buckets.go)", clear: migrateCounters},
	{to: 14, what: "the appointment records move from records/appointment to a bucket of their own at the top level, whose header lives in the root page every commit writes, so a booking no longer writes the records bucket's page; moved by bbolt's MoveBucket, no record copied or resealed (buckets.go)", clear: migrateAppointmentsTop},
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
			} else if err := m.keyed(&txn{tx: tx, s: &Session{db: db}, keys: keys, search: searchBatch{}, appts: map[core.ID]*core.Appointment{}, beforeClasses: m.to < classKeysSchema}); err != nil {
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

// patientDayKeyLen is the length of a day key of the schedule index: day
// (8 digits) ‖ class ‖ owner hash (8) ‖ appointment ID (12).
const patientDayKeyLen = 8 + 1 + 8 + 12

// migrateDropPatientDays (v12) deletes the patient's day keys of the
// schedule index; visitsOn reads a patient's day from the visit index,
// which holds the same appointments with the same values. It needs no
// keys: the class byte is in clear.
func migrateDropPatientDays(tx *bolt.Tx) error {
	b := tx.Bucket(bucketSchedule)
	if b == nil {
		return fmt.Errorf("%w: no schedule bucket", ErrCorrupt)
	}
	var stale [][]byte
	c := b.Cursor()
	for k, _ := c.Seek([]byte{'0'}); k != nil && k[0] >= '0' && k[0] <= '9'; k, _ = c.Next() {
		if len(k) == patientDayKeyLen && k[8] == classPatient {
			stale = append(stale, append([]byte(nil), k...))
		}
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// migrateCounters (v13) moves the write counters (metaSeq, metaClock and
// every metaAuthorHead entry) from bucketMeta to bucketCounters.
func migrateCounters(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	to, err := tx.CreateBucketIfNotExists(bucketCounters)
	if err != nil {
		return err
	}
	var moved [][]byte
	err = meta.ForEach(func(k, v []byte) error {
		if !bytes.Equal(k, metaSeq) && !bytes.Equal(k, metaClock) && !bytes.HasPrefix(k, []byte(metaAuthorHead)) {
			return nil
		}
		moved = append(moved, bytes.Clone(k))
		return to.Put(bytes.Clone(k), bytes.Clone(v))
	})
	if err != nil {
		return err
	}
	for _, k := range moved {
		if err := meta.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// classKeysSchema is the schema that brought class keys.
const classKeysSchema = 10

// countersSchema is the schema that moved the write counters to their own
// bucket (migrateCounters).
const countersSchema = 13

// migrateClassKeys (v10) makes the store's class keys, sealed to every
// holder in the directory, seals every clinical and billing record under
// its class key instead of the store key, and seals the fields of the
// clinical and billing changes the outbox and the quarantine hold. The
// process that runs it holds the class keys until it ends. Sync batches
// kept from before stay as they travelled, readable as before under the
// org key of their epoch (the server holds the same copies).
func migrateClassKeys(t *txn) error {
	keys, err := createClassKeys(t.tx, t.s.db.root)
	if err != nil {
		return err
	}
	for c, k := range keys {
		t.keys.classes.put(c, k)
	}
	for kind, class := range classOfKind {
		b := kindBucket(t.tx, kind)
		if b == nil {
			continue
		}
		to := keys[class].records
		type kv struct{ k, v []byte }
		var resealed []kv
		err := b.ForEach(func(k, v []byte) error {
			bucket, key := recordKey(kind, core.ID(hex.EncodeToString(k)))
			plain, err := t.keys.store.open(bucket, key, v)
			if err != nil {
				return corrupt(fmt.Sprintf("%s record %x", kind, k), nil)
			}
			resealed = append(resealed, kv{append([]byte(nil), k...), to.seal(bucket, key, plain)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range resealed {
			if err := b.Put(r.k, r.v); err != nil {
				return err
			}
		}
	}
	if err := migrateOutboxFields(t); err != nil {
		return err
	}
	return migrateQuarantineFields(t)
}

// migrateOutboxFields seals the fields of the outbox's clinical and
// billing changes (v10).
func migrateOutboxFields(t *txn) error {
	b := t.tx.Bucket(bucketOutbox)
	changes, err := t.outboxKept()
	if err != nil {
		return err
	}
	for seq, c := range changes {
		kept, err := t.sealForRest(&c)
		if err != nil {
			return err
		}
		key := u64(seq)
		if err := b.Put(key, t.keys.store.seal(bucketOutbox, key, mustJSON(kept))); err != nil {
			return err
		}
	}
	return nil
}

// outboxKept reads the outbox's clinical and billing changes whose fields
// are in clear, by sequence.
func (t *txn) outboxKept() (map[uint64]core.Change, error) {
	out := map[uint64]core.Change{}
	err := t.tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		plain, err := t.keys.store.open(bucketOutbox, k, v)
		var c core.Change
		if err != nil || json.Unmarshal(plain, &c) != nil {
			return corrupt(fmt.Sprintf("outbox entry %d", be64(k)), err)
		}
		if _, err := sealedOf(&c); classOf(c.Kind) != sealDesk && errors.Is(err, errNotSealed) {
			out[be64(k)] = c
		}
		return nil
	})
	return out, err
}

// migrateQuarantineFields seals the fields of quarantined clinical and
// billing changes to the public class key (v10).
func migrateQuarantineFields(t *txn) error {
	b := t.tx.Bucket(bucketQuarantine)
	if b == nil {
		return nil
	}
	type kv struct {
		k []byte
		q Quarantined
	}
	var stale []kv
	err := b.ForEach(func(k, v []byte) error {
		q, err := t.openQuarantined(k, v)
		if err != nil {
			return err
		}
		if q.Change != nil {
			kept, err := t.restForm(q.Change)
			if err != nil {
				return err
			}
			if kept != q.Change {
				q.Change = kept
				stale = append(stale, kv{append([]byte(nil), k...), q})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range stale {
		if err := b.Put(e.k, t.keys.store.seal(bucketQuarantine, e.k, mustJSON(e.q))); err != nil {
			return err
		}
	}
	return nil
}

// migrateAppointmentsTop (v14) moves the appointment records' bucket out
// of records to the top level (bucketAppointments). MoveBucket moves the
// bucket's header, never its pages: no record is copied, and each still
// opens under its "records/appointment" associated data. A store whose
// appointments are at the top level already keeps them there; an empty
// records/appointment beside them (an earlier step made every kind's
// bucket it missed) is dropped, and a store with appointments in both is
// damaged.
func migrateAppointmentsTop(tx *bolt.Tx) error {
	records := tx.Bucket(bucketRecords)
	inRecords, top := records.Bucket(bucketAppointments), tx.Bucket(bucketAppointments)
	switch {
	case inRecords != nil && top != nil:
		if k, _ := inRecords.Cursor().First(); k != nil {
			if k, _ := top.Cursor().First(); k != nil {
				return fmt.Errorf("%w: appointment records both in records and at the top level", ErrCorrupt)
			}
			if err := tx.DeleteBucket(bucketAppointments); err != nil {
				return err
			}
			return tx.MoveBucket(bucketAppointments, records, nil)
		}
		return records.DeleteBucket(bucketAppointments)
	case top != nil:
		return nil
	case inRecords == nil:
		_, err := tx.CreateBucket(bucketAppointments)
		return err
	}
	return tx.MoveBucket(bucketAppointments, records, nil)
}
