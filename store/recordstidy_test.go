package store

import (
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// recordsRootType is the page type of the records bucket's root.
func recordsRootType(t testing.TB, db *DB) string {
	t.Helper()
	var typ string
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		p, err := tx.Page(int(tx.Bucket(bucketRecords).Root()))
		if err != nil || p == nil {
			return fmt.Errorf("records root page: %v", err)
		}
		typ = p.Type
		return nil
	}))
	return typ
}

// splitRecords makes the records bucket split as a young store's does:
// many kinds kept inline grow until records outgrows a page, then shrink
// again (here: their entries deleted), leaving a branch over leaves that
// hold far less than a page.
func splitRecords(t testing.TB, f *fixture) {
	t.Helper()
	kinds := []core.Kind{core.KindMessage, core.KindClaim, core.KindConsent, core.KindDelivery, core.KindFee, core.KindInvoice,
		core.KindNotification, core.KindPayment, core.KindReceipt, core.KindTelesession, core.KindVital, core.KindDocument}
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		for _, k := range kinds {
			b := tx.Bucket(bucketRecords).Bucket([]byte(k))
			for i := 0; i < 3; i++ {
				if err := b.Put([]byte(fmt.Sprintf("filler%02d", i)), make([]byte, 250)); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		for _, k := range kinds {
			b := tx.Bucket(bucketRecords).Bucket([]byte(k))
			for i := 0; i < 3; i++ {
				if err := b.Delete([]byte(fmt.Sprintf("filler%02d", i))); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// TestFirstWriteTidiesASplitRecordsBucket checks that a records bucket
// split into a branch over leaves is one page again after a process's
// first write, and that every record is still there (the fixture's
// cleanup runs bbolt's consistency check).
func TestFirstWriteTidiesASplitRecordsBucket(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	first := book(t, f, ann.ID, "drwho", "2026-11-30 10:00", 15, "Room 1")
	splitRecords(t, f)
	f.reopen(t)
	if got := recordsRootType(t, f.db); got != "branch" {
		t.Fatalf("records' root is a %s page after the split, want a branch", got)
	}
	second := book(t, f, ann.ID, "drwho", "2026-11-30 11:00", 15, "")
	if got := recordsRootType(t, f.db); got != "leaf" {
		t.Errorf("records' root is a %s page after the first write, want one leaf", got)
	}
	list, err := f.desk.Appointments("2026-11-30", "")
	must(t, err)
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
		t.Errorf("the day lists %+v, want both bookings", list)
	}
	if found, err := f.desk.FindPatients("ann smith", 5); err != nil || len(found) != 1 || found[0].ID != ann.ID {
		t.Errorf("Ann after the tidy: %v %+v", err, found)
	}
	must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("records-tidy")) != nil {
			t.Error("the holding bucket is left behind")
		}
		for _, k := range core.Kinds {
			if kindBucket(tx, k) == nil {
				t.Errorf("kind %s lost its bucket", k)
			}
		}
		return nil
	}))
}

// TestTidyLeavesAOnePageRecordsBucketAlone checks that a records bucket
// already in one page is not remade.
func TestTidyLeavesAOnePageRecordsBucketAlone(t *testing.T) {
	f := newFixture(t)
	if got := recordsRootType(t, f.db); got != "leaf" {
		t.Fatalf("a new store's records root is a %s page", got)
	}
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		remade, err := tidyRecords(tx)
		if remade {
			t.Error("a one-page records bucket was remade")
		}
		return err
	}))
}
