package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

func TestMigrationsAreNumberedOneByOne(t *testing.T) {
	want := uint64(2)
	for _, m := range migrations {
		if m.to != want {
			t.Errorf("migration %q goes to %d, want %d", m.what, m.to, want)
		}
		if (m.clear == nil) == (m.keyed == nil) {
			t.Errorf("migration %d must have exactly one of clear and keyed", m.to)
		}
		want++
	}
	if want-1 != SchemaVersion {
		t.Errorf("migrations end at %d, SchemaVersion is %d", want-1, SchemaVersion)
	}
}

// schemaOfFile reads the schema version recorded in an open store.
func schemaOfFile(t testing.TB, db *DB) uint64 {
	t.Helper()
	var v uint64
	must(t, db.bolt.View(func(tx *bolt.Tx) error { v, _ = schemaOf(tx); return nil }))
	return v
}

// shippedSchemas are the schema versions main has had, each with its
// fixture written by the code of that version: versions 2 and 5 never
// shipped (each came with the next in one change). Version 9's fixture
// (schema-v9.db, with author signatures) is opened by
// TestUpgradeSealsClinicalRecordsUnderTheClassKey; the last one here is
// from before signatures (TestSignStoreFromBeforeSignatures).
var shippedSchemas = []int{1, 3, 4, 6, 8}

func TestOpenEveryEarlierSchema(t *testing.T) {
	for _, v := range shippedSchemas {
		raw, err := os.ReadFile(fixturePath(v))
		must(t, err)
		t.Run(filepath.Base(fixturePath(v)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "clinic.db")
			must(t, os.WriteFile(path, raw, 0o600))
			clk := &testClock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
			db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
			must(t, err)
			defer db.Close()
			if got := schemaOfFile(t, db); got < uint64(v) || got == SchemaVersion {
				t.Errorf("before the first unlock the store is at %d, want %d or the clear steps after it, not the keyed ones", got, v)
			}
			desk, err := db.Login("desk", "desk-pass")
			must(t, err)
			if got := schemaOfFile(t, db); got != SchemaVersion {
				t.Fatalf("after the first unlock the store is at %d, want %d", got, SchemaVersion)
			}
			found, err := desk.FindPatients("ann smith", 5)
			if err != nil || len(found) != 1 {
				t.Fatalf("find Ann: %v %+v", err, found)
			}
			ann := found[0]
			visits, err := desk.PatientAppointments(ann.ID)
			must(t, err)
			if len(visits) != len(fixtureVisits) {
				t.Fatalf("Ann has %d visits after migration, want %d", len(visits), len(fixtureVisits))
			}
			for i, a := range visits {
				if !a.Start.Equal(at(t, fixtureVisits[i])) {
					t.Errorf("visit %d at %v, want %s", i, a.Start, fixtureVisits[i])
				}
			}
			doctor, err := db.Login("drwho", "doctor-pass")
			must(t, err)
			notes, err := doctor.Notes(ann.ID)
			if err != nil || len(notes) != 1 || notes[0].Subjective != fixtureNote {
				t.Errorf("notes after migration: %v %+v", err, notes)
			}
			must(t, db.bolt.View(func(tx *bolt.Tx) error {
				if tx.Bucket(bucketMeta).Get(metaNotesIndexed) != nil {
					t.Error("the v1 marker notes_indexed is still there")
				}
				return nil
			}))
			// The migrated store takes new work and indexes it.
			clk.t = at(t, "2026-12-01 08:00")
			a, err := desk.Book(core.Appointment{PatientID: ann.ID, Doctor: "drwho", Start: at(t, "2026-12-02 09:00"), Minutes: 15})
			must(t, err)
			if visits, err := desk.PatientAppointments(ann.ID); err != nil || len(visits) != len(fixtureVisits)+1 || visits[1].ID != a.ID {
				t.Errorf("visits after a new booking: %v %+v", err, visits)
			}
		})
	}
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	f := newFixture(t)
	f.close(t)
	b, err := bolt.Open(f.path, 0o600, nil)
	must(t, err)
	must(t, b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaSchema, u64(SchemaVersion+1)) }))
	must(t, b.Close())
	if _, err := Open(f.path, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("open a newer store: %v, want ErrNewerSchema", err)
	}
}
