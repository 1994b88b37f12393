package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestDamagedSearchShardIsRebuilt(t *testing.T) {
	f := newFixture(t)
	for i := range 40 {
		f.patient(t, fmt.Sprintf("Patient Number%02d", i), "1980-01-02", fmt.Sprintf("555 01%02d", i))
	}
	f.close(t)
	rawUpdate(t, f.path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSearch)
		k, v := b.Cursor().First()
		return b.Put(append([]byte(nil), k...), flipped(v, len(v)/2))
	})
	f.open(t)
	f.login(t)
	if got := f.db.Repairs(); len(got) != 1 || !strings.Contains(got[0], "rebuilt from the 40 patient records") {
		t.Fatalf("Repairs() = %q, want the search index rebuilt from 40 records", got)
	}
	found, err := f.desk.FindPatients("number", 100)
	if err != nil || len(found) != 40 {
		t.Fatalf("search after the rebuild found %d patients, err %v; want 40", len(found), err)
	}
	f.reopen(t)
	if got := f.db.Repairs(); len(got) != 0 {
		t.Fatalf("the rebuilt index was not kept: repairs again %q", got)
	}
	if found, err := f.desk.FindPatients("number07", 10); err != nil || len(found) != 1 {
		t.Fatalf("search after reopening found %d, err %v", len(found), err)
	}
}

// TestDamagedPageIsAnErrorNotACrash breaks page headers and page bytes of a
// real store file over many seeds: opening, logging in and exporting
// either work or fail with ErrCorrupt (ErrDamaged for a broken page),
// never a crash.
func TestDamagedPageIsAnErrorNotACrash(t *testing.T) {
	f := newFixture(t)
	for i := range 120 {
		f.patient(t, fmt.Sprintf("Patient Number%03d", i), "1980-01-02", fmt.Sprintf("555 0%03d", i))
	}
	f.close(t)
	orig, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	pages := len(orig) / pageSize
	damaged := 0
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 9))
		file := bytes.Clone(orig)
		page := 2 + rng.IntN(pages-2)
		// The page header: ID, flags, count, overflow.
		at := page*pageSize + rng.IntN(16)
		if seed%3 == 2 {
			at = page*pageSize + rng.IntN(pageSize)
		}
		file[at] ^= byte(1 + rng.IntN(255))
		path := filepath.Join(t.TempDir(), "clinic.db")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		err := openAndExport(path, f)
		switch {
		case err == nil:
		case errors.Is(err, ErrDamaged):
			damaged++
			if !strings.Contains(err.Error(), "store damaged: ") {
				t.Fatalf("seed %d: %q does not say the store is damaged", seed, err)
			}
		case errors.Is(err, ErrCorrupt):
		default:
			t.Fatalf("seed %d: %v; want success or ErrCorrupt", seed, err)
		}
	}
	if damaged == 0 {
		t.Fatal("no seed met a damaged page; the test proves nothing")
	}
	t.Logf("%d of 60 damaged files failed with ErrDamaged", damaged)
}

// openAndExport opens the file at path, logs the admin in and exports.
func openAndExport(path string, f *fixture) error {
	db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
	if err != nil {
		return err
	}
	defer db.Close()
	admin, err := db.Login("admin", "admin-pass")
	if err != nil {
		return err
	}
	_, err = admin.Export(io.Discard)
	return err
}
