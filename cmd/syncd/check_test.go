package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/sync/envelope"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// writeOrgs makes a data file in dir with organisations org-a and org-b,
// each with one device that pushed five real sealed batches.
func writeOrgs(t *testing.T, dir string) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(dir, dataFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fillOrgs(t, st)
}

// fillOrgs registers organisations org-a and org-b in st, each with one
// device that pushed five real sealed batches.
func fillOrgs(t *testing.T, st server.Backend) {
	t.Helper()
	ctx := context.Background()
	for _, org := range []string{"org-a", "org-b"} {
		pub, key, _ := ed25519.GenerateKey(rand.Reader)
		orgKey := make([]byte, envelope.KeySize)
		rand.Read(orgKey)
		if err := st.RegisterOrg(ctx, server.Org{ID: org, RootKey: pub, MinEpoch: 1, Created: time.Now()},
			server.Device{ID: "dev-a", PublicKey: pub, Added: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for seq := uint64(1); seq <= 5; seq++ {
			id, _ := core.NewID(time.Now(), rand.Reader)
			name, _ := json.Marshal(fmt.Sprintf("Patient %d of %s", seq, org))
			c := core.Change{Kind: core.KindPatient, ID: id, Fields: map[string]json.RawMessage{"name": name},
				Author: "desk", Device: "dev-a", Seq: seq, HLC: core.MakeHLC(time.Now().UnixMilli(), 0)}
			b, err := envelope.Seal([]core.Change{c}, orgKey, 1, org, "dev-a", seq, seq, key)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := envelope.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Append(ctx, org, server.Batch{Device: "dev-a", First: seq, Last: seq, Epoch: 1, Envelope: raw}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func runCheck(t *testing.T, dir string) (string, error) {
	t.Helper()
	var stdout, stderr strings.Builder
	err := run(context.Background(), []string{"check", "--data", dir}, &stdout, &stderr)
	return stdout.String(), err
}

func TestCheckReportsEachOrganisation(t *testing.T) {
	dir := t.TempDir()
	writeOrgs(t, dir)
	out, err := runCheck(t, dir)
	if err != nil {
		t.Fatalf("check of a sound file: %v\n%s", err, out)
	}
	for _, want := range []string{"organisation org-a: ok (1 devices, 5 batches)", "organisation org-b: ok (1 devices, 5 batches)", "syncd check: ok, 2 organisations"} {
		if !strings.Contains(out, want) {
			t.Errorf("check says\n%s\nwithout %q", out, want)
		}
	}

	// One byte of one of org-a's envelopes, changed in place.
	db, err := bolt.Open(filepath.Join(dir, dataFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("orgs")).Bucket([]byte("org-a")).Bucket([]byte("batches"))
		key := binary8(3)
		v := append([]byte(nil), b.Get(key)...)
		v[len(v)-10] ^= 0x01
		return b.Put(key, v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = runCheck(t, dir)
	if exitCode(err) != exitStorage || !strings.Contains(message(err), "1 of 2 organisations damaged") {
		t.Fatalf("check of a damaged file: exit %d, %v", exitCode(err), err)
	}
	if !strings.Contains(out, "organisation org-a: DAMAGED") || !strings.Contains(out, "batch 3:") ||
		!strings.Contains(out, "organisation org-b: ok") {
		t.Fatalf("check does not single out org-a's batch 3:\n%s", out)
	}
}

// checkFlips is how many random bytes TestCheckSurvivesDamagedPages
// damages, one file each, besides every page header.
var checkFlips = flag.Int("check.flips", 60, "random damaged bytes for TestCheckSurvivesDamagedPages")

// TestCheckSurvivesDamagedPages breaks page headers of the file over many
// seeds: check reports damage (exit 4) or a sound file, never crashes.
func TestCheckSurvivesDamagedPages(t *testing.T) {
	dir := t.TempDir()
	writeOrgs(t, dir)
	orig, err := os.ReadFile(filepath.Join(dir, dataFile))
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	var flips []int
	for page := 2; page < len(orig)/pageSize; page++ {
		for _, at := range []int{8, 10, 12} { // flags, count, overflow
			flips = append(flips, page*pageSize+at)
		}
	}
	rng := mrand.New(mrand.NewPCG(1, 2))
	for range *checkFlips {
		flips = append(flips, 2*pageSize+rng.IntN(len(orig)-2*pageSize))
	}
	damaged := 0
	for _, at := range flips {
		file := append([]byte(nil), orig...)
		file[at] ^= 0xa5
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, dataFile), file, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := runCheck(t, d)
		switch code := exitCode(err); {
		case err == nil:
		case code == exitStorage:
			damaged++
		default:
			t.Fatalf("byte %d of page %d: exit %d, %v\n%s", at%pageSize, at/pageSize, code, err, out)
		}
	}
	if damaged == 0 {
		t.Fatal("no damaged page was found; the test proves nothing")
	}
}

// binary8 is n as a big-endian key.
func binary8(n uint64) []byte {
	k := make([]byte, 8)
	for i := range k {
		k[7-i] = byte(n >> (8 * i))
	}
	return k
}
