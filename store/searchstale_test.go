package store

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// catchUp makes n patients on a fresh peer and returns its outbox as
// pulled batches of per changes each, as a sync client groups them.
func catchUp(t *testing.T, src *peer, n, per int) [][]PulledBatch {
	t.Helper()
	must(t, src.desk.Batch(func(w *Writer) error {
		for i := range n {
			p := &core.Patient{Name: fmt.Sprintf("Patient Number%04d", i), DOB: "1970-01-01", Phone: fmt.Sprintf("+44 20 7946 %04d", i)}
			if err := w.Add(p); err != nil {
				return err
			}
		}
		return nil
	}))
	changes, err := src.admin.Outbox(0, n+1000)
	must(t, err)
	var groups [][]PulledBatch
	for j := 0; j < len(changes); j += per {
		cs := changes[j:min(j+per, len(changes))]
		b := Batch{Device: src.db.DeviceID(), First: cs[0].Seq, Last: cs[len(cs)-1].Seq, Envelope: []byte("sealed batch")}
		groups = append(groups, []PulledBatch{{Batch: b, Changes: cs}})
	}
	return groups
}

// hasStaleMark reports whether the store's search shards are marked stale.
func hasStaleMark(t *testing.T, db *DB) bool {
	t.Helper()
	stale := false
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		stale = tx.Bucket(bucketMeta).Get(metaSearchStale) != nil
		return nil
	}))
	return stale
}

// shardsOnDisk is every search shard's entries, opened and sorted.
func shardsOnDisk(t *testing.T, db *DB) map[string][]idEntry {
	t.Helper()
	out := map[string][]idEntry{}
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSearch).ForEach(func(k, v []byte) error {
			plain, err := db.keys.store.open(bucketSearch, k, v)
			if err != nil {
				return err
			}
			entries, err := decodeShard(nil, plain)
			if err != nil {
				return err
			}
			slices.SortFunc(entries, func(a, b idEntry) int { return strings.Compare(string(a.id), string(b.id)) })
			out[fmt.Sprintf("%x", k)] = entries
			return nil
		})
	}))
	return out
}

func TestCatchUpPersistsSearchShardsOnceAtTheEnd(t *testing.T) {
	a, b, _ := twoPeers(t)
	const n = 900
	groups := catchUp(t, a, n, 300)
	if len(groups) < 3 {
		t.Fatalf("%d transactions, want at least 3", len(groups))
	}
	for i, g := range groups {
		if _, err := b.desk.ApplyBatches(g, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
		if !hasStaleMark(t, b.db) {
			t.Fatalf("after transaction %d of the catch-up the search shards are not marked stale", i+1)
		}
	}
	must(t, b.desk.MarkPulled())
	if hasStaleMark(t, b.db) {
		t.Fatal("the catch-up's last write left the search shards marked stale")
	}
	searchAsRebuilt(t, b, n)
}

// TestLastCatchUpTransactionMarksThePull checks that a catch-up whose
// last transaction is ApplyLastBatches ends with no MarkPulled after it:
// that one commit saves the cursor, stamps the pull and reseals the
// shards the transactions before left stale, as a rebuild writes them.
func TestLastCatchUpTransactionMarksThePull(t *testing.T) {
	a, b, _ := twoPeers(t)
	const n = 900
	groups := catchUp(t, a, n, 300)
	if len(groups) < 3 {
		t.Fatalf("%d transactions, want at least 3", len(groups))
	}
	last := len(groups) - 1
	for i, g := range groups[:last] {
		if _, err := b.desk.ApplyBatches(g, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if !hasStaleMark(t, b.db) {
		t.Fatal("the catch-up's first transactions did not mark the search shards stale")
	}
	before := commits(t, b.db)
	if _, err := b.desk.ApplyLastBatches(groups[last], uint64(last+1)); err != nil {
		t.Fatal(err)
	}
	if got := commits(t, b.db) - before; got != 1 {
		t.Errorf("the last transaction took %d commits, want 1", got)
	}
	if hasStaleMark(t, b.db) {
		t.Fatal("the catch-up's last transaction left the search shards marked stale")
	}
	st, err := b.desk.SyncState()
	must(t, err)
	if st.Cursor != uint64(last+1) || st.LastPull.IsZero() {
		t.Fatalf("after the last transaction: %+v", st)
	}
	searchAsRebuilt(t, b, n)
	// With nothing to save as the cursor, it still stamps the pull.
	_, c, _ := twoPeers(t)
	if _, err := c.desk.ApplyLastBatches(nil, 0); err != nil {
		t.Fatal(err)
	}
	if st, err := c.desk.SyncState(); err != nil || st.LastPull.IsZero() || st.Cursor != 0 {
		t.Fatalf("after an empty last transaction: %+v, %v", st, err)
	}
}

// commits is the store's bbolt transaction ID: how many writes it has
// committed.
func commits(t *testing.T, db *DB) uint64 {
	t.Helper()
	var id int
	must(t, db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }))
	return uint64(id)
}

func TestCatchUpCutShortRebuildsTheSearchIndexOnOpen(t *testing.T) {
	raw, clk := baseStore(t)
	dir := t.TempDir()
	a := openPeer(t, "A", filepath.Join(dir, "a.db"), raw, clk)
	defer a.close(t)
	path := filepath.Join(dir, "b.db")
	b := openPeer(t, "B", path, raw, clk)
	groups := catchUp(t, a, 600, 300)
	// The first transaction commits; the process ends before the next.
	if _, err := b.desk.ApplyBatches(groups[0], 1); err != nil {
		t.Fatal(err)
	}
	pulled := 0
	for _, c := range groups[0][0].Changes {
		if c.Kind == core.KindPatient {
			pulled++
		}
	}
	b.close(t)
	reopen := func() *peer {
		db, err := Open(path, Options{Now: clk.now, KDF: testKDF, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		r := &peer{name: "B", db: db}
		if r.desk, err = db.Login("desk", "desk-pass"); err != nil {
			t.Fatal(err)
		}
		return r
	}
	b = reopen()
	if got := b.db.Repairs(); len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("rebuilt from the %d patient records", pulled)) {
		t.Fatalf("Repairs() = %q, want the search index rebuilt from the %d records", got, pulled)
	}
	if hasStaleMark(t, b.db) {
		t.Fatal("the rebuild left the search shards marked stale")
	}
	found, err := b.desk.FindPatients("number", 1000)
	if err != nil || len(found) != pulled {
		t.Fatalf("search after the rebuild found %d patients, err %v; want %d", len(found), err, pulled)
	}
	must(t, b.db.Close())
	b = reopen()
	defer func() { must(t, b.db.Close()) }()
	if got := b.db.Repairs(); len(got) != 0 {
		t.Fatalf("the rebuilt index was not kept: repairs again %q", got)
	}
	if found, err := b.desk.FindPatients("number", 1000); err != nil || len(found) != pulled {
		t.Fatalf("search after reopening found %d, err %v; want %d", len(found), err, pulled)
	}
}

// searchAsRebuilt checks, after a catch-up of n patients, that search
// finds them all and that the search shards on disk are those a rebuild
// from the records writes.
func searchAsRebuilt(t *testing.T, b *peer, n int) {
	t.Helper()
	found, err := b.desk.FindPatients("number", 2*n)
	if err != nil || len(found) != n {
		t.Fatalf("search after the catch-up found %d patients, err %v; want %d", len(found), err, n)
	}
	got := shardsOnDisk(t, b.db)
	if _, _, err := b.db.rebuildSearch(b.db.keys); err != nil {
		t.Fatal(err)
	}
	want := shardsOnDisk(t, b.db)
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d shards on disk after the catch-up, %d after a rebuild", len(got), len(want))
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Fatalf("shard %s after the catch-up has %d entries, a rebuild %d", k, len(got[k]), len(w))
		}
	}
}
