package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"hash"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// txn is one read-write transaction of a session: it stages search-index
// changes (they reach memory after commit) and remembers which appointments
// changed, so conflicts are checked once at the end.
type txn struct {
	tx     *bolt.Tx
	s      *Session
	keys   *storeKeys
	now    time.Time
	search searchBatch
	// appts are the appointments this transaction changed, as they now
	// stand, for the conflict check at the end.
	appts map[core.ID]*core.Appointment
	// invoices are the invoices whose payments or status this transaction
	// changed, for the overpayment check at the end (billing.go).
	invoices map[core.ID]bool
	seq      uint64
	// head is the access log's head once this transaction has logged.
	head *auditHead
	// authors caches the verified directory entries of remote changes'
	// authors (signing.go); nil for a missing or unverifiable one.
	authors map[string]*dirEntry
	// folded is the last access-journal record this transaction folded
	// into the log, 0 for none.
	folded uint64
	// beforeClasses is set in the migrations to schemas before 10, which
	// find every record under the store key.
	beforeClasses bool
	// deferSearch is set by a pulled transaction whose search shards
	// may be left stale for the catch-up's last write (persistSearch).
	deferSearch bool
	// ownerHash caches the keyed hashes of index owners (schedindex.go).
	ownerHash map[ownerName][8]byte
	// ownerMAC is the keyed hash owner computes them with, made once.
	ownerMAC hash.Hash
	// behind, when not nil, holds the record and schedule-index puts of
	// a catch-up's merge, to be written in key order (writebehind.go).
	behind *behind
	// ownerDays, while the conflict check holds them (holdOwnerDays), are
	// the index entries of each owner's day it has read.
	ownerDays map[string][]ownerDay
	// freshEntry, while a change prepared ahead reindexes, is its
	// patient's search entry made ahead with it (indexSearch).
	freshEntry *searchEntry
}

// update runs fn in a read-write transaction and finishes it: conflicts
// rechecked, search shards resealed, counters saved, all in the same commit.
func (s *Session) update(fn func(t *txn) error) error {
	t := &txn{s: s, keys: s.db.keys, now: s.db.opts.now(), search: searchBatch{}, appts: map[core.ID]*core.Appointment{}}
	s.db.writes.Lock()
	defer s.db.writes.Unlock()
	err := s.db.bolt.Update(func(tx *bolt.Tx) error {
		t.tx = tx
		if !s.db.recordsTidied {
			// Once a process, before anything opens a kind's bucket.
			s.db.recordsTidied = true
			if _, err := tidyRecords(tx); err != nil {
				return err
			}
		}
		if v := counters(tx).Get(metaSeq); len(v) == 8 {
			t.seq = be64(v)
		}
		if err := fn(t); err != nil {
			return err
		}
		return t.finish()
	})
	if err != nil {
		return err
	}
	s.db.search.apply(t.search)
	if s.db.access != nil {
		s.db.access.folded(t.folded)
	}
	return nil
}

// view runs fn in a read-only transaction.
func (s *Session) view(fn func(t *txn) error) error {
	return s.db.bolt.View(func(tx *bolt.Tx) error {
		return fn(&txn{tx: tx, s: s, keys: s.db.keys, now: s.db.opts.now()})
	})
}

// finish does the work every write shares before commit.
func (t *txn) finish() error {
	if err := t.checkConflicts(); err != nil {
		return err
	}
	if err := t.checkInvoices(); err != nil {
		return err
	}
	if err := t.persistSearch(); err != nil {
		return err
	}
	if err := t.saveHead(); err != nil {
		return err
	}
	b := counters(t.tx)
	if err := putChanged(b, metaSeq, u64(t.seq)); err != nil {
		return err
	}
	return putChanged(b, metaClock, u64(uint64(t.s.db.clock.Last())))
}

// putChanged puts v under k unless b holds it already.
func putChanged(b *bolt.Bucket, k, v []byte) error {
	if bytes.Equal(b.Get(k), v) {
		return nil
	}
	return b.Put(k, v)
}

// appendFill is how full bbolt packs pages of buckets whose keys only grow
// (the outbox and the access log): splitting them half-empty, as for random
// inserts, would double their size for nothing.
const appendFill = 0.95

// recordKey is where a record lives: its kind's bucket and its ID bytes.
func recordKey(k core.Kind, id core.ID) ([]byte, []byte) {
	return append(append([]byte{}, bucketRecords...), "/"+string(k)...), id.Bytes()
}

// load reads and opens a record; a record never written comes back empty.
func (t *txn) load(k core.Kind, id core.ID) (*core.Record, error) {
	v, err := t.sealed(k, id)
	if err != nil || v == nil {
		return core.NewRecord(k, id), err
	}
	return t.open(k, id, v)
}

// sealed is a record's stored bytes, nil when it was never written.
func (t *txn) sealed(k core.Kind, id core.ID) ([]byte, error) {
	b := kindBucket(t.tx, k)
	if b == nil {
		return nil, fmt.Errorf("%w: no bucket for kind %s", ErrCorrupt, k)
	}
	key := id.Bytes()
	if key == nil {
		return nil, fmt.Errorf("%w: %s %q", ErrNotFound, k, id)
	}
	return t.getRecord(b, k, key), nil
}

// open decrypts and decodes a stored record.
func (t *txn) open(k core.Kind, id core.ID, sealed []byte) (*core.Record, error) {
	bucket, key := recordKey(k, id)
	s, err := t.sealerOf(k)
	if err != nil {
		return nil, err
	}
	plain, err := s.open(bucket, key, sealed)
	if err != nil {
		return nil, corrupt(fmt.Sprintf("%s record %s", k, id), nil)
	}
	rec, err := decodeRecord(k, id, plain)
	if err != nil {
		return nil, corrupt(fmt.Sprintf("%s record %s", k, id), err)
	}
	return rec, nil
}

// get loads a live record into e, or returns ErrNotFound. It decodes the
// stored fields straight into the JSON object core.Record.Decode would
// build (recordObject, openInto): a chart reads hundreds of records.
func (t *txn) get(id core.ID, e core.Entity) error {
	k := e.Kind()
	v, err := t.sealed(k, id)
	if err != nil {
		return err
	}
	if v == nil {
		return fmt.Errorf("%w: %s %s", ErrNotFound, k, id)
	}
	s, err := t.sealerOf(k)
	if err != nil {
		return err
	}
	live, err := openInto(s, k, id, v, e, &openScratch{})
	if err == nil && !live {
		err = fmt.Errorf("%w: %s %s", ErrNotFound, k, id)
	}
	return err
}

// live reports whether a record of kind k exists and is not deleted,
// without decoding it into its entity or its merge state.
func (t *txn) live(k core.Kind, id core.ID) (bool, error) {
	v, err := t.sealed(k, id)
	if err != nil || v == nil {
		return false, err
	}
	s, err := t.sealerOf(k)
	if err != nil {
		return false, err
	}
	return openObject(s, k, id, v, &openScratch{})
}

// sealerOf is the sealer of records of kind k in this transaction.
func (t *txn) sealerOf(k core.Kind) (*sealer, error) {
	if t.beforeClasses {
		return t.keys.store, nil
	}
	return t.keys.sealerOf(k)
}

// put seals and writes a record.
func (t *txn) put(rec *core.Record) error { return t.putEncoded(rec, nil) }

// putEncoded is put given encodeRecord(rec), or nil to encode it here.
func (t *txn) putEncoded(rec *core.Record, encoded []byte) error {
	bucket, key := recordKey(rec.Kind, rec.ID)
	s, err := t.sealerOf(rec.Kind)
	if err != nil {
		return err
	}
	if encoded == nil {
		encoded = encodeRecord(rec)
	}
	sealed := s.seal(bucket, key, encoded)
	return t.putRecord(kindBucket(t.tx, rec.Kind), rec.Kind, key, sealed)
}

// putPrepared is put of a record, given what was prepared of it ahead
// (nil for nothing): its encoding, and its sealed bytes when they were
// sealed by the sealer this transaction seals its kind with.
func (t *txn) putPrepared(rec *core.Record, pre *prepared) error {
	if pre == nil {
		return t.putEncoded(rec, nil)
	}
	if pre.sealed != nil && !t.beforeClasses {
		if s, err := t.sealerOf(rec.Kind); err == nil && s == pre.sealer {
			return t.putRecord(kindBucket(t.tx, rec.Kind), rec.Kind, rec.ID.Bytes(), pre.sealed)
		}
	}
	return t.putEncoded(rec, pre.encoded)
}

// apply merges one change into its record and keeps the indexes in step
// (merge.go). It reports whether anything changed.
func (t *txn) apply(c *core.Change) (bool, error) { return t.merge(c, nil) }

// decodeEntity turns a record into its typed entity.
func decodeEntity(rec *core.Record) (core.Entity, error) {
	e, err := core.New(rec.Kind)
	if err != nil {
		return nil, err
	}
	if err := rec.Decode(e); err != nil {
		return nil, corrupt(fmt.Sprintf("%s record %s", rec.Kind, rec.ID), err)
	}
	return e, nil
}

// write records a local change: stamp it, merge it, and queue it in the
// outbox, all in this transaction.
func (t *txn) write(k core.Kind, id core.ID, fields map[string]json.RawMessage) error {
	if len(fields) == 0 {
		return nil
	}
	hlc, err := t.s.db.clock.Now()
	if err != nil {
		return fmt.Errorf("store: %w; set this workstation's clock right", err)
	}
	t.seq++
	c := &core.Change{
		Kind: k, ID: id, Fields: fields, Author: t.s.user.Name,
		Device: t.s.db.dev.ID, Seq: t.seq, HLC: hlc,
	}
	if err := t.signChange(c); err != nil {
		return err
	}
	if t.writesOnly(k) {
		return t.writeOnly(c) // the desk's payment: sealed to billing, not merged here
	}
	if _, err := t.apply(c); err != nil {
		return err
	}
	kept, err := t.sealForRest(c)
	if err != nil {
		return err
	}
	key := u64(c.Seq)
	outbox := t.tx.Bucket(bucketOutbox)
	outbox.FillPercent = appendFill
	return outbox.Put(key, t.keys.store.seal(bucketOutbox, key, mustJSON(kept)))
}

// create writes a new record after checking permission and validity. It
// fills the ID (when empty) and the meta fields.
func (t *txn) create(e core.Entity) error {
	if err := t.s.authorize(core.ActCreate, e.Kind()); err != nil {
		return err
	}
	m := e.Base()
	if m.ID == "" {
		id, err := core.NewID(t.now, rand.Reader)
		if err != nil {
			return err
		}
		m.ID = id
	} else if m.ID.Bytes() == nil {
		return fmt.Errorf("%w: %s id %q", core.ErrInvalid, e.Kind(), m.ID)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	m.CreatedAt, m.UpdatedAt, m.CreatedBy, m.Deleted = m.CreatedAt.UTC(), m.CreatedAt.UTC(), t.s.user.Name, false
	if err := e.Validate(); err != nil {
		return err
	}
	rec, err := t.load(e.Kind(), m.ID)
	if err != nil {
		return err
	}
	if rec.Exists() && e.Kind().AppendOnly() {
		return fmt.Errorf("%w: %s %s exists already and is never written again; add a new record (an addendum to a note)", ErrAppendOnly, e.Kind(), m.ID)
	}
	if rec.Exists() {
		return fmt.Errorf("%w: %s %s already exists", core.ErrInvalid, e.Kind(), m.ID)
	}
	fields, err := core.FieldsOf(e)
	if err != nil {
		return err
	}
	return t.write(e.Kind(), m.ID, fields)
}

// save writes the fields of an existing record that changed.
func (t *txn) save(e core.Entity) error {
	k := e.Kind()
	if err := t.s.authorize(core.ActUpdate, k); err != nil {
		return err
	}
	if k.AppendOnly() {
		return fmt.Errorf("%w: %s records are never changed; add a new one", ErrAppendOnly, k)
	}
	rec, err := t.load(k, e.Base().ID)
	if err != nil {
		return err
	}
	if !rec.Exists() {
		return fmt.Errorf("%w: %s %s", ErrNotFound, k, e.Base().ID)
	}
	e.Base().UpdatedAt = t.now
	if err := e.Validate(); err != nil {
		return err
	}
	fields, err := core.Diff(rec, e)
	if err != nil {
		return err
	}
	if _, ok := fields["updated_at"]; ok && len(fields) == 1 {
		return nil // only updated_at moved: nothing to record
	}
	return t.write(k, e.Base().ID, fields)
}
