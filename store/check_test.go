package store

import (
	"strings"
	"testing"
)

// A check run while a sync catch-up has the search shards marked stale
// (they lag the records by design until its last write) reports the
// index as being brought up to date, not as out of step, and the store as
// sound; once the catch-up ends the index matches again.
func TestCheckDuringACatchUpIsNotDamage(t *testing.T) {
	a, b, _ := twoPeers(t)
	groups := catchUp(t, a, 600, 300)
	if _, err := b.desk.ApplyBatches(groups[0], 1); err != nil {
		t.Fatal(err)
	}
	if !hasStaleMark(t, b.db) {
		t.Fatal("the first transaction of the catch-up left no stale mark")
	}
	r, err := b.admin.Check()
	if err != nil {
		t.Fatal(err)
	}
	if r.Search != "" || !r.OK() {
		t.Fatalf("check during a catch-up reports the search index %q (ok %v); want no problem", r.Search, r.OK())
	}
	if !strings.Contains(r.SearchPending, "catch-up") {
		t.Fatalf("check during a catch-up says %q of the search index; want that a catch-up is bringing it up to date", r.SearchPending)
	}
	for i, g := range groups[1:] {
		if _, err := b.desk.ApplyBatches(g, uint64(i+2)); err != nil {
			t.Fatal(err)
		}
	}
	must(t, b.desk.MarkPulled())
	if r, err = b.admin.Check(); err != nil || !r.OK() || r.SearchPending != "" {
		t.Fatalf("check after the catch-up: %+v, %v", r, err)
	}
}
