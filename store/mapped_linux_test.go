package store

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mappedKB is how much of the file at path this process has resident
// through its memory maps, from /proc/self/smaps.
func mappedKB(t testing.TB, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			in = len(f) == 6 && f[5] == path
		}
		if in && len(f) == 3 && f[0] == "Rss:" {
			var n int
			fmt.Sscan(f[1], &n)
			kb += n
		}
	}
	return kb
}

// Loading the index leaves none of the store file's pages it read in the
// process's resident memory: the sealed shards are copied out and opened,
// and their pages of the map (7 MB of a 100,000-patient clinic's P10
// figure) went on counting before.
func TestLoadingTheIndexHandsBackTheFilePages(t *testing.T) {
	f := newIndexFile(t)
	g := &patientGen{r: rand.New(rand.NewSource(11)), now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b := searchBatch{}
	for range 20_000 {
		id, e := g.next(t)
		b.stage(id, &e)
	}
	f.commit(t, newSearchIndex(emptyScan()), b)
	path := f.db.Path()
	must(t, f.db.Close())
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f.db = db
	sealed, zeros := 0, 0
	must(t, db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSearch).ForEach(func(_, v []byte) error {
			sealed += len(v)
			zeros += bytes.Count(v, []byte{0}) // every byte read, as opening does
			return nil
		})
	}))
	if kb := mappedKB(t, path); kb < sealed/1024/2 {
		t.Fatalf("reading the shards left %d kB of %d kB resident: the measure does not see them", kb, sealed/1024)
	}
	t.Logf("read %d kB of shards (%d zero bytes)", sealed/1024, zeros)
	ix := f.load(t)
	if ix.size() != 20_000 {
		t.Fatalf("loaded %d patients", ix.size())
	}
	if kb := mappedKB(t, path); kb > sealed/1024/10 {
		t.Errorf("after loading the index %d kB of the file's %d kB of shards are resident", kb, sealed/1024)
	}
}
