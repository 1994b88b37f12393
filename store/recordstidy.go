package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The records bucket holds nothing but one nested bucket per kind, and a
// record written rewrites the page of records that holds its kind's header
// and every branch page above it. Those headers fit one page (a kind
// written rarely is kept inline in it, up to a quarter page), but while a
// young store's kinds are still inline and growing, records outgrows a
// page and bbolt splits it into a branch over leaves; once the kinds move
// to pages of their own the leaves shrink, and bbolt never joins leaves
// that only shrank. Such a records bucket costs every write one page more
// than it needs. tidyRecords, run in a process's first write, puts it back
// into one page.

// recordsFill is how full records' one page may be for tidyRecords to make
// it: the room left lets kinds kept inline grow a while before the page
// splits again.
const recordsFill = 0.75

// tidyRecords makes the records bucket one page again when it has split
// into more though its kinds' headers fit in one. It moves every kind's
// bucket out, makes records afresh and moves them back: bbolt's MoveBucket
// moves a bucket's header (or, for an inline bucket, its few entries),
// never its pages, so no record is copied. It must run before anything
// in the transaction has opened a kind's bucket. It reports whether it
// remade records.
func tidyRecords(tx *bolt.Tx) (bool, error) {
	records := tx.Bucket(bucketRecords)
	if records == nil || records.Root() == 0 {
		return false, nil
	}
	root, err := tx.Page(int(records.Root()))
	if err != nil || root == nil || root.Type != "branch" {
		return false, err
	}
	size := 16 // page header
	var kinds [][]byte
	c := records.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			return false, nil // a plain value: not a records bucket this code wrote
		}
		kinds = append(kinds, bytes.Clone(k))
		size += 16 + len(k) + 16 // leaf element, key, bucket header
		if b := records.Bucket(k); b.Root() == 0 {
			size += inlineSize(b)
		}
	}
	if float64(size) > recordsFill*float64(tx.DB().Info().PageSize) {
		return false, nil
	}
	hold, err := tx.CreateBucket([]byte("records-tidy"))
	if err != nil {
		return false, fmt.Errorf("store: tidying records: %w", err)
	}
	for _, k := range kinds {
		if err := records.MoveBucket(k, hold); err != nil {
			return false, fmt.Errorf("store: tidying records: moving %s out: %w", k, err)
		}
	}
	if err := tx.DeleteBucket(bucketRecords); err != nil {
		return false, fmt.Errorf("store: tidying records: %w", err)
	}
	if records, err = tx.CreateBucket(bucketRecords); err != nil {
		return false, fmt.Errorf("store: tidying records: %w", err)
	}
	records.FillPercent = 1
	for _, k := range kinds {
		if err := hold.MoveBucket(k, records); err != nil {
			return false, fmt.Errorf("store: tidying records: moving %s back: %w", k, err)
		}
	}
	if err := tx.DeleteBucket([]byte("records-tidy")); err != nil {
		return false, fmt.Errorf("store: tidying records: %w", err)
	}
	return true, nil
}

// inlineSize is the room an inline bucket's entries take in its parent's
// page: a page header and, per entry, an element, its key and its value.
func inlineSize(b *bolt.Bucket) int {
	n := 16
	b.ForEach(func(k, v []byte) error {
		n += 16 + len(k) + len(v)
		return nil
	})
	return n
}
