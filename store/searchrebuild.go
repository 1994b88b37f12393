package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// The patient search index is derived data: 256 sealed shards that say
// nothing the patient records do not. A shard that fails its integrity
// check therefore costs nobody their work: the index is rebuilt from the
// records at the unlock that found it, and the user is told.

// rebuildSearch writes the search index afresh from the patient records,
// replacing every shard, and returns it with the number of patients in it.
func (db *DB) rebuildSearch(keys *storeKeys) (*searchIndex, int, error) {
	ix := newSearchIndex(emptyScan())
	batch := searchBatch{}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		t := &txn{tx: tx, keys: keys}
		err := t.each(core.KindPatient, func(rec *core.Record) error {
			if !rec.Exists() || rec.Deleted() {
				return nil
			}
			var p core.Patient
			if err := rec.Decode(&p); err != nil {
				return corrupt(fmt.Sprintf("patient record %s", rec.ID), err)
			}
			e := entryFor(&p)
			batch.stage(p.ID, &e)
			return nil
		})
		if err != nil {
			return err
		}
		if err := clearBucket(tx.Bucket(bucketSearch)); err != nil {
			return err
		}
		if err := ix.persist(tx, keys.store, batch); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(metaSearchStale)
	})
	if err != nil {
		return nil, 0, err
	}
	ix.apply(batch)
	go ix.current() // the first search finds the scan built
	return ix, len(batch), nil
}

// clearBucket deletes every key of b.
func clearBucket(b *bolt.Bucket) error {
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("store: clearing %s: %w", bucketSearch, err)
		}
	}
	return nil
}

// Repairs lists, in sentences for the user, what this process repaired in
// the store: a derived index rebuilt from the records, say. It is empty
// when nothing needed repair.
func (db *DB) Repairs() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return append([]string(nil), db.repairs...)
}
