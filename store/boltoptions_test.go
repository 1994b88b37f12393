package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestStoreUsesTheHashmapFreelist checks that a store opens with bbolt's
// hashmap freelist (boltOptions), and that a store written with it reopens
// with its records: the kind lives in memory only.
func TestStoreUsesTheHashmapFreelist(t *testing.T) {
	f := newFixture(t)
	if got := f.db.bolt.DB.FreelistType; got != bolt.FreelistMapType {
		t.Fatalf("the store's freelist is %q, want %q", got, bolt.FreelistMapType)
	}
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-30 10:00", 15, "")
	f.close(t)
	f.open(t)
	f.login(t)
	if got, err := f.desk.Appointment(a.ID); err != nil || got.Start != a.Start {
		t.Errorf("after reopening, the booking reads %+v, %v", got, err)
	}
}
