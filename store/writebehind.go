package store

import (
	"slices"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// A catch-up's transaction merges thousands of changes into records and
// the schedule index whose keys come in no useful order (record IDs,
// keyed hashes of patients). bbolt keeps every node a transaction touches
// unsplit in memory until commit, so each put in the middle of a grown
// node moves all that follow it: random puts cost a transaction time
// quadratic in its size. The write-behind holds those puts instead and
// writes them at the end, in key order, one bucket after another, where
// each is an append. Reads of the keys it holds see them (sealedRecord,
// schedGet); it is only ever on while changes merge whose merge reads
// nothing else of these buckets (behindKind), and it is written out
// before any other change merges and before the transaction's finish
// (the conflict check scans the index).

// behind is what a transaction has put but not yet written.
type behind struct {
	buckets map[string]*behindBucket
}

// behindBucket is one bucket's pending writes: the last value put under
// each key, or a deletion.
type behindBucket struct {
	bucket *bolt.Bucket
	writes map[string]behindWrite
}

// behindWrite is a pending put, or a deletion when del is set.
type behindWrite struct {
	value []byte
	del   bool
}

// bucket is the pending writes of a bucket, made on first use.
func (w *behind) bucket(name string, b *bolt.Bucket) *behindBucket {
	bb := w.buckets[name]
	if bb == nil {
		bb = &behindBucket{bucket: b, writes: map[string]behindWrite{}}
		w.buckets[name] = bb
	}
	return bb
}

// get is what the bucket holds under key once the pending writes are
// written.
func (bb *behindBucket) get(key []byte) []byte {
	if w, ok := bb.writes[string(key)]; ok {
		if w.del {
			return nil
		}
		return w.value
	}
	return bb.bucket.Get(key)
}

// flush writes every pending write, each bucket's in key order, and
// empties the write-behind.
func (w *behind) flush() error {
	names := make([]string, 0, len(w.buckets))
	for name := range w.buckets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		bb := w.buckets[name]
		keys := make([]string, 0, len(bb.writes))
		for k := range bb.writes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			pw := bb.writes[k]
			var err error
			if pw.del {
				err = bb.bucket.Delete([]byte(k))
			} else {
				err = bb.bucket.Put([]byte(k), pw.value)
			}
			if err != nil {
				return err
			}
		}
	}
	clear(w.buckets)
	return nil
}

// behindKind reports whether changes of kind k may merge with the
// write-behind on: their merge reads and writes only their own record
// (sealedRecord, putEncoded) and, for appointments, their own index keys
// (schedGet, schedPut, schedDelete); a patient's search entry is staged in
// memory. Any other kind's merge may read the index or other records
// through paths of their own, so the write-behind is written before it.
func behindKind(k core.Kind) bool {
	switch k {
	case core.KindPatient, core.KindAppointment:
		return true
	case core.KindRefill:
		return false // refillConflict reads and writes conflicts
	}
	return !hasIndex(k)
}

// startBehind turns the write-behind on.
func (t *txn) startBehind() {
	if t.behind == nil {
		t.behind = &behind{buckets: map[string]*behindBucket{}}
	}
}

// flushBehind writes the write-behind's pending writes, when it is on.
func (t *txn) flushBehind() error {
	if t.behind == nil {
		return nil
	}
	return t.behind.flush()
}

// stopBehind writes the pending writes and turns the write-behind off.
func (t *txn) stopBehind() error {
	err := t.flushBehind()
	t.behind = nil
	return err
}

// behindFor sets the write-behind wb (nil when the transaction has none)
// on for merging a change of kind k, or writes it out and leaves it off
// until the next change when k may not merge behind it.
func (t *txn) behindFor(wb *behind, k core.Kind) error {
	if wb == nil {
		return nil
	}
	if behindKind(k) {
		t.behind = wb
		return nil
	}
	t.behind = nil
	return wb.flush()
}

// recordBucketName names a kind's record bucket in the write-behind.
func recordBucketName(k core.Kind) string { return "records/" + string(k) }

// getRecord is the stored bytes of a record in its kind's bucket b.
func (t *txn) getRecord(b *bolt.Bucket, k core.Kind, key []byte) []byte {
	if t.behind == nil {
		return b.Get(key)
	}
	if bb := t.behind.buckets[recordBucketName(k)]; bb != nil {
		return bb.get(key)
	}
	return b.Get(key)
}

// putRecord writes a record's stored bytes to its kind's bucket b.
func (t *txn) putRecord(b *bolt.Bucket, k core.Kind, key, sealed []byte) error {
	if t.behind == nil {
		return b.Put(key, sealed)
	}
	t.behind.bucket(recordBucketName(k), b).writes[string(key)] = behindWrite{value: sealed}
	return nil
}

// schedName names the schedule index in the write-behind.
const schedName = "schedule"

// schedGet reads a key of the schedule index.
func (t *txn) schedGet(key []byte) []byte {
	b := t.tx.Bucket(bucketSchedule)
	if t.behind == nil {
		return b.Get(key)
	}
	if bb := t.behind.buckets[schedName]; bb != nil {
		return bb.get(key)
	}
	return b.Get(key)
}

// schedPut puts a key of the schedule index.
func (t *txn) schedPut(key, value []byte) error {
	b := t.tx.Bucket(bucketSchedule)
	if t.behind == nil {
		return b.Put(key, value)
	}
	t.behind.bucket(schedName, b).writes[string(key)] = behindWrite{value: value}
	return nil
}

// schedDelete deletes a key of the schedule index.
func (t *txn) schedDelete(key []byte) error {
	b := t.tx.Bucket(bucketSchedule)
	if t.behind == nil {
		return b.Delete(key)
	}
	t.behind.bucket(schedName, b).writes[string(key)] = behindWrite{del: true}
	return nil
}
