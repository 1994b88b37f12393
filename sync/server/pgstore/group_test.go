package pgstore

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"medisecure/sync/server"
	"medisecure/sync/server/pgstore/pgtest"
)

// A batch the log lost (its acknowledgement kept) is counted missing and
// filed again in its old place when a workstation hands it back, and
// another envelope under its sequences is still refused.
func TestLostBatchIsFiledAgain(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	org := server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1, Created: time.UnixMilli(1)}
	if err := s.RegisterOrg(ctx, org, server.Device{ID: "dev-a", PublicKey: make([]byte, 32), Added: time.UnixMilli(1)}); err != nil {
		t.Fatal(err)
	}
	batch := func(n uint64, text string) server.Batch {
		return server.Batch{Device: "dev-a", First: n, Last: n, Epoch: 1, Envelope: fmt.Appendf(nil, "%s %d", text, n)}
	}
	for n := uint64(1); n <= 3; n++ {
		if _, _, err := s.Append(ctx, "org-1", batch(n, "batch")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM batches WHERE org = 'org-1' AND seq = 2`); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Log(ctx, "org-1"); err != nil || info.Head != 3 || info.Missing != 1 {
		t.Fatalf("Log after losing a batch: %+v, %v; want head 3, 1 missing", info, err)
	}
	seq, dup, err := s.Append(ctx, "org-1", batch(2, "batch"))
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
	if _, _, err := s.Append(ctx, "org-1", batch(2, "other")); !errors.Is(err, server.ErrSeqConflict) {
		t.Fatalf("another envelope under a stored batch's sequences: %v, want a conflict", err)
	}
}
