package server_test

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// damagedRuns is how many seeded damaged copies of one file are served;
// go test -run TestDamaged ./sync/server -damaged.runs 1000 serves more.
var damagedRuns = flag.Uint64("damaged.runs", 16, "damaged copies of a data file to serve")

// TestDamagedOrganisationFailsAlone flips bytes in the pages of one
// organisation's batches in a real data file, over many seeds, and serves
// each damaged copy: the process survives every one, the other
// organisation is served in full and can push, and the damaged one gets
// DATA_LOSS or its data, never a dropped connection.
func TestDamagedOrganisationFailsAlone(t *testing.T) {
	h := start(t, options{token: testToken})
	a := registered(t, h, "org-a")
	b := registered(t, h, "org-b")
	var envelopes, others [][]byte
	for range 16 {
		raw := a.seal(t, "dev-a", a.changes(t, "dev-a", 12))
		envelopes = append(envelopes, raw)
		if _, err := a.push(h, "dev-a", raw); err != nil {
			t.Fatal(err)
		}
		raw = b.seal(t, "dev-a", b.changes(t, "dev-a", 12))
		others = append(others, raw)
		if _, err := b.push(h, "dev-a", raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatal(err)
	}
	pages := pagesHolding(t, h.path, orig, envelopes)
	if len(pages) == 0 {
		t.Fatal("found no page holding org-a's batches")
	}

	failed := 0
	for seed := range *damagedRuns {
		rng := rand.New(rand.NewPCG(seed, 8))
		damaged := bytes.Clone(orig)
		for range 1 + rng.IntN(4) {
			flip(rng, damaged, pages[rng.IntN(len(pages))])
		}
		path := filepath.Join(t.TempDir(), "syncd.db")
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		d := start(t, options{token: testToken, path: path})
		items, err := b.pull(d, "dev-a", 0, 0)
		if err != nil || len(items) != len(others) {
			t.Fatalf("seed %d: org-b pulled %d batches, err %v; want all %d", seed, len(items), err, len(others))
		}
		for i, it := range items {
			if !bytes.Equal(it.Envelope, others[i]) {
				t.Fatalf("seed %d: org-b's batch %d is not the one it pushed", seed, it.ServerSeq)
			}
		}
		if _, err := b.push(d, "dev-a", b.seal(t, "dev-a", b.changes(t, "dev-a", 1))); err != nil {
			t.Fatalf("seed %d: org-b cannot push: %v", seed, err)
		}
		b.seq["dev-a"]-- // each seed starts again from the undamaged file
		_, err = a.pull(d, "dev-a", 0, 0)
		switch status.Code(err) {
		case codes.OK:
		case codes.DataLoss, codes.Unauthenticated, codes.NotFound:
			failed++
		default:
			t.Fatalf("seed %d: org-a's pull: %v; want its data or DATA_LOSS", seed, err)
		}
		resp, err := healthpb.NewHealthClient(d.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("seed %d: health %v, %v", seed, resp, err)
		}
		if err := d.stop(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
	if failed == 0 {
		t.Fatalf("no seed damaged org-a enough to fail its pull; the test proves nothing")
	}
	t.Logf("org-a failed alone in %d of %d damaged files", failed, *damagedRuns)
}

// pagesHolding returns the byte ranges of the file's leaf pages that hold
// the start of any of the values.
func pagesHolding(t *testing.T, path string, file []byte, values [][]byte) [][2]int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := db.Info().PageSize
	var out [][2]int
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; (id+1)*size <= len(file); id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil || info.Type != "leaf" {
				continue
			}
			from, to := id*size, (id+1+info.OverflowCount)*size
			for _, v := range values {
				if bytes.Contains(file[from:min(to, len(file))], v[:64]) {
					out = append(out, [2]int{from, min(to, len(file))})
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// flip damages one byte of page: half the time in its header and element
// table, where bbolt finds its way, otherwise anywhere.
func flip(rng *rand.Rand, file []byte, page [2]int) {
	span := page[1] - page[0]
	if rng.IntN(2) == 0 {
		span = min(span, 64)
	}
	file[page[0]+rng.IntN(span)] ^= byte(1 + rng.IntN(255))
}
