package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

func TestCheckAndSalvageLeaveADamagedRecordBehind(t *testing.T) {
	f := newFixture(t)
	var ids []core.ID
	for i := range 60 {
		ids = append(ids, f.patient(t, fmt.Sprintf("Patient Number%02d", i), "1980-01-02", fmt.Sprintf("555 01%02d", i)).ID)
	}
	f.close(t)
	rawUpdate(t, f.path, func(tx *bolt.Tx) error {
		b := patientBucket(tx)
		v := b.Get(ids[7].Bytes())
		return b.Put(ids[7].Bytes(), flipped(v, len(v)/2))
	})
	f.open(t)
	r, err := f.admin.Check()
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.Unreadable[core.KindPatient] != 1 || r.Records[core.KindPatient] != 59 || len(r.Bad) != 1 {
		t.Fatalf("Check: %+v; want patient %s alone unreadable", r, ids[7])
	}
	if _, err := f.desk.Check(); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception ran Check: %v", err)
	}
	dir := t.TempDir()
	s, err := f.admin.Salvage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Records[core.KindPatient] != 59 || s.Unreadable[core.KindPatient] != 1 || s.Patients != 59 || len(s.Lost) != 0 {
		t.Fatalf("Salvage: %+v; want 59 patients copied and one left behind", s)
	}
	if _, err := f.admin.Salvage(dir); !errors.Is(err, ErrExists) {
		t.Errorf("a second salvage into the same directory: %v, want ErrExists", err)
	}
	db := openSalvaged(t, s.Path, f)
	desk, err := db.Login("desk", "desk-pass")
	if err != nil {
		t.Fatalf("the receptionist cannot log in to the salvaged store: %v", err)
	}
	found, err := desk.FindPatients("number", 100)
	if err != nil || len(found) != 59 {
		t.Fatalf("the salvaged store finds %d patients, err %v; want 59", len(found), err)
	}
	if _, err := desk.AddPatient(core.Patient{Name: "After Salvage", DOB: "1990-01-01", Phone: "555 0199"}); err != nil {
		t.Fatalf("the salvaged store takes no new patient: %v", err)
	}
}

// openSalvaged opens a salvaged store, checks it is sound as the admin,
// and closes it when the test ends.
func openSalvaged(t *testing.T, path string, f *fixture) *DB {
	t.Helper()
	db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
	if err != nil {
		t.Fatalf("opening the salvaged store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	admin, err := db.Login("admin", "admin-pass")
	if err != nil {
		t.Fatalf("the admin cannot log in to the salvaged store: %v", err)
	}
	r, err := admin.Check()
	if err != nil || !r.OK() {
		t.Fatalf("the salvaged store does not pass its check: %+v, %v", r, err)
	}
	if _, err := admin.Export(io.Discard); err != nil {
		t.Fatalf("export of the salvaged store: %v", err)
	}
	return db
}

// TestSalvageGetsPastDamagedPages breaks page headers of a store over
// many seeds: whenever the admin can still log in, Check reports without
// crashing and Salvage writes a sound store with what could be read.
func TestSalvageGetsPastDamagedPages(t *testing.T) {
	f := newFixture(t)
	for i := range 150 {
		f.patient(t, fmt.Sprintf("Patient Number%03d", i), "1980-01-02", fmt.Sprintf("555 0%03d", i))
	}
	f.close(t)
	orig, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	lost, salvaged := 0, 0
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 10))
		file := bytes.Clone(orig)
		page := 2 + rng.IntN(len(orig)/pageSize-2)
		file[page*pageSize+8+rng.IntN(8)] ^= byte(1 + rng.IntN(255))
		path := filepath.Join(t.TempDir(), "clinic.db")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
		if err != nil {
			// A flip in the root bucket's page can make the file read
			// as no clinic store at all; either way it is refused, never
			// a crash.
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotStore) && !errors.Is(err, ErrDamaged) {
				t.Errorf("seed %d: open: %v, want a refusal of a damaged file", seed, err)
			}
			continue
		}
		admin, err := db.Login("admin", "admin-pass")
		if err != nil {
			db.Close()
			continue
		}
		if _, err := admin.Check(); err != nil {
			t.Fatalf("seed %d: Check: %v", seed, err)
		}
		r, err := admin.Salvage(t.TempDir())
		db.Close()
		if err != nil {
			t.Fatalf("seed %d: Salvage: %v", seed, err)
		}
		salvaged++
		if len(r.Lost) > 0 {
			lost++
		}
		openSalvaged(t, r.Path, f)
	}
	if salvaged == 0 || lost == 0 {
		t.Fatalf("%d stores salvaged, %d of them past a damaged page; the test proves too little", salvaged, lost)
	}
	t.Logf("%d damaged stores salvaged, %d past damaged pages", salvaged, lost)
}
