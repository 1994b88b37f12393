package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// testKDF keeps logins fast in tests.
var testKDF = KDF{Time: 1, MemKiB: 64, Threads: 1}

// testClock is a settable clock for tests.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// fixture is a store with an admin, a receptionist and a doctor with hours.
type fixture struct {
	path   string
	db     *DB
	clock  *testClock
	admin  *Session
	desk   *Session
	doctor *Session
}

// newFixture creates a store in t.TempDir(); on cleanup it closes it and
// runs bbolt's consistency check.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	clk := &testClock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	opts := Options{Now: clk.now, KDF: testKDF}
	if err := Create(path, InitOptions{Org: "Test Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: "admin-pass"}, opts); err != nil {
		t.Fatalf("create: %v", err)
	}
	f := &fixture{path: path, clock: clk}
	f.open(t)
	must(t, f.admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, "desk-pass"))
	must(t, f.admin.AddUser(core.User{Name: "drwho", Role: core.RoleDoctor}, "doctor-pass"))
	f.login(t)
	sc := core.Schedule{Doctor: "drwho", SlotMinutes: 15}
	for d := time.Monday; d <= time.Friday; d++ {
		sc.Hours[d] = []core.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	}
	if _, err := f.doctor.SetSchedule(sc); err != nil {
		t.Fatalf("set schedule: %v", err)
	}
	t.Cleanup(func() { f.close(t) })
	return f
}

// open opens the store file and logs the admin in.
func (f *fixture) open(t testing.TB) {
	t.Helper()
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	f.db = db
	if f.admin, err = db.Login("admin", "admin-pass"); err != nil {
		t.Fatalf("admin login: %v", err)
	}
}

// login logs in the receptionist and the doctor.
func (f *fixture) login(t testing.TB) {
	t.Helper()
	var err error
	if f.desk, err = f.db.Login("desk", "desk-pass"); err != nil {
		t.Fatalf("desk login: %v", err)
	}
	if f.doctor, err = f.db.Login("drwho", "doctor-pass"); err != nil {
		t.Fatalf("doctor login: %v", err)
	}
}

// reopen closes and opens the file again, logging everyone back in.
func (f *fixture) reopen(t testing.TB) {
	t.Helper()
	f.close(t)
	f.open(t)
	f.login(t)
}

// close checks the file's consistency and closes it.
func (f *fixture) close(t testing.TB) {
	t.Helper()
	if f.db == nil {
		return
	}
	// The access log's committer writes in the background; a check
	// beside a writer sees its freed pages.
	if err := f.db.closeAccess(); err != nil {
		t.Errorf("closing the access log: %v", err)
	}
	err := f.db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Errorf("consistency check: %v", err)
	}
	f.db.Close()
	f.db = nil
}

// patient registers a patient through the desk.
func (f *fixture) patient(t testing.TB, name, dob, phone string) core.Patient {
	t.Helper()
	p, err := f.desk.AddPatient(core.Patient{Name: name, DOB: core.Date(dob), Phone: phone})
	if err != nil {
		t.Fatalf("add patient %s: %v", name, err)
	}
	return p
}

// at is a wall time in the clinic's zone (Europe/Berlin).
func at(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// decodeShard adds the entries of one opened shard to the index, for tests
// that build an index by hand.
func (ix *searchIndex) decodeShard(b []byte) error {
	entries, err := decodeShard(nil, b)
	batch := searchBatch{}
	for _, e := range entries {
		batch.stage(e.id, &e.searchEntry)
	}
	ix.apply(batch)
	return err
}
