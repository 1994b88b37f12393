package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestDamagedRootPageReadsAsDamaged flips the element count in the page
// header of the file's root page, which hides every bucket: the store is
// refused as damaged (clinic store check and salvage named), not as a
// file that is no clinic store.
func TestDamagedRootPageReadsAsDamaged(t *testing.T) {
	f := newFixture(t)
	f.patient(t, "Ann Smith", "1990-01-02", "555 0101")
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	pageSize := int(binary.LittleEndian.Uint32(raw[metaPageSizeAt:]))
	// The meta with the higher transaction ID is current; its root
	// bucket's page follows the 16-byte meta fields magic to flags.
	const txidAt, rootAt = 16 + 48, 16 + 16
	meta := raw[:pageSize]
	if binary.LittleEndian.Uint64(raw[pageSize+txidAt:]) > binary.LittleEndian.Uint64(meta[txidAt:]) {
		meta = raw[pageSize:]
	}
	root := int(binary.LittleEndian.Uint64(meta[rootAt:]))
	for _, at := range []int{10, 11} { // the page header's element count
		damagedCopy := append([]byte(nil), raw...)
		damagedCopy[root*pageSize+at] ^= 0xff
		path := filepath.Join(t.TempDir(), "clinic.db")
		must(t, os.WriteFile(path, damagedCopy, 0o600))
		db, err := Open(path, Options{KDF: testKDF})
		if err == nil {
			db.Close()
			t.Fatalf("a root page with byte %d flipped opened", at)
		}
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrNotStore) {
			t.Errorf("root page byte %d flipped: %v, want the store damaged", at, err)
		}
	}
}

// TestOtherBoltFileIsNotAStore opens a bbolt file of another program (a
// sync server's, say): it is no clinic store, and not a damaged one.
func TestOtherBoltFileIsNotAStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syncd.db")
	b, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, b.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"nonces", "orgs", "version"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	}))
	must(t, b.Close())
	_, err = Open(path, Options{KDF: testKDF})
	if !errors.Is(err, ErrNotStore) {
		t.Fatalf("another program's bbolt file: %v, want not a clinic store", err)
	}
}
