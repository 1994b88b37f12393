package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// SalvageReport says what Salvage copied into the new store and what it
// left behind.
type SalvageReport struct {
	// Path is the new store file.
	Path string
	// Records counts the records copied, by kind; Unreadable those left
	// behind because they do not decrypt and verify under the store key.
	Records    map[core.Kind]int
	Unreadable map[core.Kind]int
	// Entries counts the other entries copied: users, outbox, access
	// log, indexes, sync state.
	Entries int
	// Lost names the buckets in which a damaged page hid entries that
	// could not be reached at all.
	Lost []string
	// Patients is how many patients the rebuilt search index holds.
	Patients int
}

// Salvage copies every readable record of the store into a new store file
// in dir (created; it must not hold a store already) with the same name,
// organisation, keys and users, and rebuilds its search index (admins
// only). A record is readable when it decrypts and verifies under the
// store key; other entries are copied when their pages can be read. The
// damaged store is only read.
func (s *Session) Salvage(dir string) (SalvageReport, error) {
	if err := s.authorize(core.ActRead, core.KindAccessLog); err != nil {
		return SalvageReport{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return SalvageReport{}, fmt.Errorf("store: creating %s: %w", dir, err)
	}
	r := SalvageReport{
		Path:    filepath.Join(dir, filepath.Base(s.db.path)),
		Records: map[core.Kind]int{}, Unreadable: map[core.Kind]int{},
	}
	if abs, _ := filepath.Abs(r.Path); abs == s.db.path {
		return SalvageReport{}, fmt.Errorf("%w: salvage into another directory than the store's own", core.ErrInvalid)
	}
	if _, err := os.Stat(r.Path); err == nil {
		return SalvageReport{}, fmt.Errorf("%w: %s", ErrExists, r.Path)
	}
	dest, err := bolt.Open(r.Path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return SalvageReport{}, fmt.Errorf("store: creating %s: %w", r.Path, err)
	}
	err = dest.Update(func(tx *bolt.Tx) error { return s.salvageInto(tx, &r) })
	if cerr := dest.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.indexSalvaged(&r)
	}
	if err != nil {
		os.Remove(r.Path)
		return SalvageReport{}, err
	}
	return r, nil
}

// salvageInto copies the store's buckets into the new file's tx.
func (s *Session) salvageInto(tx *bolt.Tx, r *SalvageReport) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("store: salvage: creating %s: %w", name, err)
		}
	}
	for _, k := range core.Kinds {
		if _, err := createKindBucket(tx, k); err != nil {
			return fmt.Errorf("store: salvage: creating %s: %w", k, err)
		}
	}
	var roots [][]byte
	lost, err := readBucket(s.db.bolt, nil, func(k, _ []byte, isBucket bool) error {
		if isBucket {
			roots = append(roots, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		r.Lost = append(r.Lost, "the list of buckets")
	}
	for _, name := range roots {
		switch {
		case bytes.Equal(name, bucketSearch):
			// Derived: rebuilt from the salvaged patients.
		case bytes.Equal(name, bucketRecords):
			for _, k := range core.Kinds {
				if k == core.KindAppointment {
					continue // at the top level (bucketAppointments)
				}
				if err := s.salvageKind(tx, k, r); err != nil {
					return err
				}
			}
		case bytes.Equal(name, bucketAppointments):
			if err := s.salvageKind(tx, core.KindAppointment, r); err != nil {
				return err
			}
		default:
			if err := copyTree(s.db.bolt, tx, [][]byte{name}, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// salvageKind copies the records of kind k that open under the store key.
func (s *Session) salvageKind(tx *bolt.Tx, k core.Kind, r *SalvageReport) error {
	to := kindBucket(tx, k)
	t := &txn{keys: s.db.keys}
	lost, err := readBucket(s.db.bolt, kindPath(k), func(key, v []byte, isBucket bool) error {
		if isBucket {
			return nil
		}
		if !storable(key, v) {
			r.Unreadable[k]++
			return nil
		}
		if _, err := t.open(k, core.ID(hex.EncodeToString(key)), v); err != nil {
			r.Unreadable[k]++
			return nil
		}
		r.Records[k]++
		return to.Put(bytes.Clone(key), bytes.Clone(v))
	})
	if lost {
		r.Lost = append(r.Lost, string(k)+" records")
	}
	return err
}

// copyTree copies the bucket at path, and the buckets in it, entry by
// entry as far as its pages can be read.
func copyTree(src guarded, tx *bolt.Tx, path [][]byte, r *SalvageReport) error {
	to, err := createPath(tx, path)
	if err != nil {
		return err
	}
	var children [][]byte
	damaged := false
	lost, err := readBucket(src, path, func(k, v []byte, isBucket bool) error {
		if !storable(k, v) {
			// A damaged page can hand back a key bbolt cannot store
			// (empty, or longer than any key it writes): the entry is lost.
			damaged = true
			return nil
		}
		if isBucket {
			children = append(children, bytes.Clone(k))
			return nil
		}
		r.Entries++
		return to.Put(bytes.Clone(k), bytes.Clone(v))
	})
	if err != nil {
		return err
	}
	if lost || damaged {
		r.Lost = append(r.Lost, string(bytes.Join(path, []byte("/"))))
	}
	for _, c := range children {
		if err := copyTree(src, tx, append(append([][]byte(nil), path...), c), r); err != nil {
			return err
		}
	}
	return nil
}

// storable reports whether bbolt can write the entry: a key of 1 to
// bolt.MaxKeySize bytes and a value within bolt.MaxValueSize.
func storable(k, v []byte) bool {
	return len(k) > 0 && len(k) <= bolt.MaxKeySize && len(v) <= bolt.MaxValueSize
}

// createPath returns the bucket at path in tx, creating what is missing.
func createPath(tx *bolt.Tx, path [][]byte) (*bolt.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(path[0])
	for _, name := range path[1:] {
		if err != nil {
			break
		}
		b, err = b.CreateBucketIfNotExists(name)
	}
	if err != nil {
		return nil, fmt.Errorf("store: salvage: creating %s: %w", bytes.Join(path, []byte("/")), err)
	}
	return b, nil
}

// bucketAt is the bucket at path in tx (the root's buckets for an empty
// path is not a bucket: nil), or nil.
func bucketAt(tx *bolt.Tx, path [][]byte) *bolt.Bucket {
	if len(path) == 0 {
		return nil
	}
	b := tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

// readBucket calls fn for every key of the bucket at path (the file's
// buckets, for an empty path) in order, in read transactions of src. When
// a damaged page stops the walk, it starts again past the damage, seeking
// ever wider past the last key read, and reports that entries were lost.
// fn's errors end the walk.
func readBucket(src guarded, path [][]byte, fn func(k, v []byte, isBucket bool) error) (lost bool, err error) {
	var after, start []byte
	level := -1 // which byte of after the next probe increments
	for {
		done := false
		var ferr error
		verr := src.View(func(tx *bolt.Tx) error {
			c, isBucket := cursorAt(tx, path)
			if c == nil {
				done = true
				return nil
			}
			k, v := c.First()
			if start != nil {
				k, v = c.Seek(start)
			}
			for ; k != nil; k, v = c.Next() {
				if after != nil && bytes.Compare(k, after) <= 0 {
					continue
				}
				if ferr = fn(k, v, isBucket(k, v)); ferr != nil {
					return ferr
				}
				after, level = bytes.Clone(k), len(k)-1
			}
			done = true
			return nil
		})
		switch {
		case ferr != nil:
			return lost, ferr
		case done:
			return lost, nil
		case !errors.Is(verr, ErrDamaged):
			return lost, verr
		}
		lost = true
		if start, level = probe(after, start, level); start == nil {
			return lost, nil
		}
	}
}

// probe is the next key to seek to past damage met after the key after
// (nil: before the first key): after with its byte at level incremented
// and the rest cut, one level shorter each time the damage is met again.
// It returns nil when no key is left to try.
func probe(after, last []byte, level int) ([]byte, int) {
	if after == nil {
		// Damage before the first key: try the first bytes in turn.
		if len(last) == 0 {
			return []byte{1}, 0
		}
		if last[0] == 0xff {
			return nil, 0
		}
		return []byte{last[0] + 1}, 0
	}
	for ; level >= 0; level-- {
		if after[level] != 0xff {
			p := bytes.Clone(after[:level+1])
			p[level]++
			return p, level - 1
		}
	}
	return nil, 0
}

// cursorAt returns a cursor over the bucket at path, or over the file's
// buckets for an empty path, and how to tell a nested bucket's key.
func cursorAt(tx *bolt.Tx, path [][]byte) (*bolt.Cursor, func(k, v []byte) bool) {
	if len(path) == 0 {
		return tx.Cursor(), func([]byte, []byte) bool { return true }
	}
	b := bucketAt(tx, path)
	if b == nil {
		return nil, nil
	}
	return b.Cursor(), func(k, v []byte) bool { return v == nil && b.Bucket(k) != nil }
}

// indexSalvaged opens the new store and rebuilds its search index from
// the salvaged patients.
func (s *Session) indexSalvaged(r *SalvageReport) error {
	db, err := Open(r.Path, s.db.opts)
	if err != nil {
		return err
	}
	defer db.Close()
	_, n, err := db.rebuildSearch(s.db.keys)
	r.Patients = n
	return err
}
