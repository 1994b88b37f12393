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

// TestMigrationFourteenMovesTheAppointmentsToTheTop opens the store
// written by schema 11's code, where the appointment records are a bucket
// inside records, and checks that Open moves them, byte for byte, to the
// top-level bucket, leaving none in records and every other kind where it
// was; that the fixture's visits still open and read as before; and that
// a booking lands in the moved bucket.
func TestMigrationFourteenMovesTheAppointmentsToTheTop(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(11))
	must(t, err)
	path := filepath.Join(t.TempDir(), "clinic.db")
	must(t, os.WriteFile(path, raw, 0o600))
	old, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	appts11, kinds11 := map[string]string{}, 0
	must(t, old.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketAppointments) != nil {
			t.Error("the schema 11 fixture has a top-level appointment bucket")
		}
		records := tx.Bucket(bucketRecords)
		kinds11 = records.Stats().BucketN - 1
		return records.Bucket(bucketAppointments).ForEach(func(k, v []byte) error {
			appts11[string(k)] = string(v)
			return nil
		})
	}))
	must(t, old.Close())
	if len(appts11) != len(fixtureVisits) {
		t.Fatalf("the schema 11 fixture holds %d appointments, want %d", len(appts11), len(fixtureVisits))
	}

	clk := &testClock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	if moved := bucketCopy(t, db, bucketAppointments); len(moved) != len(appts11) {
		t.Errorf("the top-level bucket holds %d appointments, want %d", len(moved), len(appts11))
	} else {
		for k, v := range appts11 {
			if moved[k] != v {
				t.Errorf("appointment %x changed in the move", k)
			}
		}
	}
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		if records.Bucket(bucketAppointments) != nil {
			t.Error("records still holds an appointment bucket")
		}
		if n := records.Stats().BucketN - 1; n != kinds11-1 {
			t.Errorf("records holds %d kinds' buckets, want the %d of schema 11 less appointments", n, kinds11-1)
		}
		if v, _ := schemaOf(tx); v != SchemaVersion {
			t.Errorf("schema %d after Open, want %d", v, SchemaVersion)
		}
		return nil
	}))

	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	found, err := desk.FindPatients(fixtureAnn, 5)
	if err != nil || len(found) != 1 {
		t.Fatalf("find Ann: %v %+v", err, found)
	}
	for _, v := range fixtureVisits {
		day := core.Date(v[:10])
		got, err := desk.Appointments(day, "")
		must(t, err)
		if len(got) != 1 || got[0].Start.In(db.Zone()).Format("2006-01-02 15:04") != v {
			t.Errorf("the appointments of %s: %+v, want the fixture's visit at %s", day, got, v)
		}
	}
	a, err := desk.Book(core.Appointment{PatientID: found[0].ID, Doctor: "drwho", Start: at(t, "2026-11-30 11:00"), Minutes: 15})
	must(t, err)
	if after := bucketCopy(t, db, bucketAppointments); after[string(a.ID.Bytes())] == "" || len(after) != len(appts11)+1 {
		t.Errorf("the booking is not in the top-level bucket (%d appointments there)", len(after))
	}
	if got, err := desk.Appointment(a.ID); err != nil || got.Start != a.Start {
		t.Errorf("the booking reads back as %+v, %v", got, err)
	}
	report, err := f11Check(db)
	must(t, err)
	if !report.OK() || report.Records[core.KindAppointment] != len(appts11)+1 {
		t.Errorf("check after the move: %+v", report)
	}
}

// f11Check runs the store check as the fixture's admin.
func f11Check(db *DB) (CheckReport, error) {
	admin, err := db.Login("admin", "admin-pass")
	if err != nil {
		return CheckReport{}, err
	}
	return admin.Check()
}

// TestBookingLeavesTheRecordsPageAlone checks that a booking writes no
// page of the records bucket: the appointments live at the top level, so
// the records bucket's root page (copied on write by bbolt, so a new page
// number when written) is where it was.
func TestBookingLeavesTheRecordsPageAlone(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	book(t, f, ann.ID, "drwho", "2026-11-30 10:00", 15, "")
	root := func() (pg uint64) {
		must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
			pg = uint64(tx.Bucket(bucketRecords).Root())
			return nil
		}))
		return pg
	}
	before := root()
	book(t, f, ann.ID, "drwho", "2026-11-30 11:00", 15, "Room 1")
	book(t, f, ann.ID, "drwho", "2026-11-30 11:30", 15, "")
	if after := root(); after != before {
		t.Errorf("a booking rewrote the records bucket's page (%d -> %d)", before, after)
	}
}

// TestMigrationFourteenWithBothBuckets checks the step on stores holding
// an appointment bucket both in records and at the top level: the empty
// one is dropped and the records kept wherever they were, and records in
// both refuse as damage.
func TestMigrationFourteenWithBothBuckets(t *testing.T) {
	for _, tc := range []struct {
		name             string
		inRecords, inTop bool // which of the two holds a record
		wantErr          bool
	}{
		{"empty in records", false, true, false},
		{"empty at the top", true, false, false},
		{"both empty", false, false, false},
		{"records in both", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"), 0o600, nil)
			must(t, err)
			defer db.Close()
			err = db.Update(func(tx *bolt.Tx) error {
				records, err := tx.CreateBucket(bucketRecords)
				must(t, err)
				old, err := records.CreateBucket(bucketAppointments)
				must(t, err)
				top, err := tx.CreateBucket(bucketAppointments)
				must(t, err)
				if tc.inRecords {
					must(t, old.Put([]byte("r"), []byte("in records")))
				}
				if tc.inTop {
					must(t, top.Put([]byte("t"), []byte("at the top")))
				}
				return nil
			})
			must(t, err)
			err = db.Update(migrateAppointmentsTop) // in a transaction of its own, as runMigrations runs it
			if tc.wantErr {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("records in both buckets: %v, want ErrCorrupt", err)
				}
				return
			}
			must(t, err)
			must(t, db.View(func(tx *bolt.Tx) error {
				if tx.Bucket(bucketRecords).Bucket(bucketAppointments) != nil {
					t.Error("records still holds an appointment bucket")
				}
				top := tx.Bucket(bucketAppointments)
				if top == nil {
					t.Fatal("no top-level appointment bucket")
				}
				if tc.inRecords && string(top.Get([]byte("r"))) != "in records" || tc.inTop && string(top.Get([]byte("t"))) != "at the top" {
					t.Error("a record was lost")
				}
				return nil
			}))
		})
	}
}
