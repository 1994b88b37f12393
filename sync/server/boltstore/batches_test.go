package boltstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// A batch the log lost (its acknowledgement kept) is counted missing and
// filed again in its old place when a workstation hands it back.
func TestLostBatchIsFiledAgain(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	org := server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1, Created: time.UnixMilli(1)}
	if err := s.RegisterOrg(ctx, org, server.Device{ID: "dev-a", PublicKey: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	batch := func(n uint64) server.Batch {
		return server.Batch{Device: "dev-a", First: n, Last: n, Epoch: 1, Envelope: fmt.Appendf(nil, "batch %d", n)}
	}
	for n := uint64(1); n <= 3; n++ {
		if _, _, err := s.Append(ctx, "org-1", batch(n)); err != nil {
			t.Fatal(err)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOrgs).Bucket([]byte("org-1")).Bucket(bucketBatches).Delete(u64(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Log(ctx, "org-1"); err != nil || info.Head != 3 || info.Missing != 1 {
		t.Fatalf("Log after losing a batch: %+v, %v; want head 3, 1 missing", info, err)
	}
	seq, dup, err := s.Append(ctx, "org-1", batch(2))
	if err != nil || !dup || seq != 2 {
		t.Fatalf("handing the lost batch back: seq %d, duplicate %v, %v; want 2, true", seq, dup, err)
	}
	if info, err := s.Log(ctx, "org-1"); err != nil || info.Missing != 0 {
		t.Fatalf("Log after the batch came back: %+v, %v", info, err)
	}
	got, err := s.Range(ctx, "org-1", 1, 1)
	if err != nil || len(got) != 1 || string(got[0].Envelope) != "batch 2" {
		t.Fatalf("Range after the batch came back: %+v, %v", got, err)
	}
}
