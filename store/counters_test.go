package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// bucketCopy copies every entry of a top-level bucket.
func bucketCopy(t testing.TB, db *DB, name []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(name)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	}))
	return out
}

// isCounter reports whether a key is one of the write counters.
func isCounter(k string) bool {
	return k == string(metaSeq) || k == string(metaClock) || strings.HasPrefix(k, metaAuthorHead)
}

// TestMigrationThirteenMovesTheCountersOutOfMeta opens the store written
// by schema 11's code and checks that Open moves the sequence, the clock
// and the authors' chain heads, unchanged, from meta to the counters
// bucket, leaving the rest of meta as it was; and that the next booking
// takes the next sequence and moves its author's head on from there.
func TestMigrationThirteenMovesTheCountersOutOfMeta(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(11))
	must(t, err)
	path := filepath.Join(t.TempDir(), "clinic.db")
	must(t, os.WriteFile(path, raw, 0o600))
	old, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	meta11 := map[string]string{}
	must(t, old.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCounters) != nil {
			t.Error("the schema 11 fixture has a counters bucket")
		}
		return tx.Bucket(bucketMeta).ForEach(func(k, v []byte) error {
			meta11[string(k)] = string(v)
			return nil
		})
	}))
	must(t, old.Close())
	if len(meta11[string(metaSeq)]) != 8 || len(meta11[string(metaClock)]) != 8 || meta11[metaAuthorHead+"desk"] == "" {
		t.Fatalf("the schema 11 fixture's meta lacks a counter: %q", meta11)
	}

	clk := &testClock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	meta, counters := bucketCopy(t, db, bucketMeta), bucketCopy(t, db, bucketCounters)
	for k, v := range meta11 {
		switch {
		case isCounter(k):
			if counters[k] != v {
				t.Errorf("counter %s is %x in counters, was %x in meta", k, counters[k], v)
			}
			if _, ok := meta[k]; ok {
				t.Errorf("counter %s is still in meta", k)
			}
		case k == string(metaSchema):
		case meta[k] != v:
			t.Errorf("meta %s changed", k)
		}
	}
	moved := 0
	for k := range meta11 {
		if isCounter(k) {
			moved++
		}
	}
	if len(counters) != moved || len(meta) != len(meta11)-moved {
		t.Errorf("counters holds %d entries and meta %d, want the %d moved and the %d left", len(counters), len(meta), moved, len(meta11)-moved)
	}

	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	found, err := desk.FindPatients(fixtureAnn, 5)
	if err != nil || len(found) != 1 {
		t.Fatalf("find Ann: %v %+v", err, found)
	}
	seq := be64([]byte(counters[string(metaSeq)]))
	_, err = desk.Book(core.Appointment{PatientID: found[0].ID, Doctor: "drwho", Start: at(t, "2026-11-30 11:00"), Minutes: 15})
	must(t, err)
	st, err := desk.SyncState()
	must(t, err)
	if st.LastSeq != seq+1 {
		t.Errorf("after one booking the last sequence is %d, want %d", st.LastSeq, seq+1)
	}
	changes, err := desk.Outbox(seq, 10)
	must(t, err)
	if len(changes) != 1 || changes[0].Seq != seq+1 || !bytes.Equal(changes[0].Prev, []byte(counters[metaAuthorHead+"desk"])) {
		t.Fatalf("the booking's change: %+v, want sequence %d after desk's head %x", changes, seq+1, counters[metaAuthorHead+"desk"])
	}
	if after := bucketCopy(t, db, bucketCounters); after[metaAuthorHead+"desk"] == counters[metaAuthorHead+"desk"] {
		t.Error("the booking did not move desk's chain head")
	}
}

// TestBookingLeavesMetaAlone checks that a booking, which moves only the
// counters, writes nothing to meta: with the counters in their own bucket
// bbolt keeps inline in the root page, meta's page is not written.
func TestBookingLeavesMetaAlone(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	book(t, f, ann.ID, "drwho", "2026-11-30 10:00", 15, "")
	meta, counters := bucketCopy(t, f.db, bucketMeta), bucketCopy(t, f.db, bucketCounters)
	book(t, f, ann.ID, "drwho", "2026-11-30 11:00", 15, "Room 1")
	if after := bucketCopy(t, f.db, bucketMeta); len(after) != len(meta) {
		t.Errorf("meta has %d entries after a booking, had %d", len(after), len(meta))
	} else {
		for k, v := range meta {
			if after[k] != v {
				t.Errorf("a booking changed meta %s", k)
			}
		}
	}
	after := bucketCopy(t, f.db, bucketCounters)
	if after[string(metaSeq)] == counters[string(metaSeq)] || after[metaAuthorHead+"desk"] == counters[metaAuthorHead+"desk"] {
		t.Error("the booking moved neither the sequence nor desk's head")
	}
	must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCounters).Root() != 0 {
			t.Error("the counters bucket is not inline")
		}
		return nil
	}))
}
