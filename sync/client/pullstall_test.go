package client_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// stallingRange is a backend whose second and later reads of the log in
// one pull block until released: a link that stalls mid-pull.
type stallingRange struct {
	*boltstore.Store
	armed   atomic.Bool
	reads   atomic.Int64
	stalled chan struct{} // closed when a read blocks
	release chan struct{} // closed to let reads go on
}

func (s *stallingRange) Range(ctx context.Context, org string, after uint64, limit int) ([]server.Stored, error) {
	if s.armed.Load() && s.reads.Add(1) > 1 {
		select {
		case <-s.stalled:
		default:
			close(s.stalled)
		}
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.Store.Range(ctx, org, after, limit)
}

// TestStalledPullDoesNotHoldTheStore checks that while a pull's stream
// stalls in the middle of a page, the batches that came are merged and
// committed and the store is let go: a write at the desk goes through
// before the link comes back, and the pull then merges the rest.
func TestStalledPullDoesNotHoldTheStore(t *testing.T) {
	st := &stallingRange{stalled: make(chan struct{}), release: make(chan struct{})}
	srv := startServerWith(t, func(b *boltstore.Store) server.Backend {
		st.Store = b
		return st
	})
	opts := fastOptions(srv.addr)
	opts.CallTimeout = time.Minute // the stall, not the watchdog, is what is tested
	const n = 80                   // more batches than the server reads in one go
	b := batchedPair(t, srv, opts, "Stalled Pull", n)

	st.armed.Store(true)
	pulled := make(chan error, 1)
	go func() {
		_, err := b.client.Pull(context.Background())
		pulled <- err
	}()
	<-st.stalled
	// What came before the stall is merged and committed while the link
	// stays stalled; a pull that held its transaction open for the next
	// batch would show nothing until the link came back.
	deadline := time.Now().Add(20 * time.Second)
	for {
		found, err := b.desk.FindPatients("stalled", 2*n)
		must(t, err)
		if len(found) > 0 {
			break
		}
		if time.Now().After(deadline) {
			close(st.release)
			t.Fatal("nothing the pull received before its stream stalled was merged while it stalled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := b.desk.AddPatient(core.Patient{Name: "Walk In", DOB: "1980-02-02"})
		wrote <- err
	}()
	select {
	case err := <-wrote:
		must(t, err)
	case <-time.After(20 * time.Second):
		close(st.release)
		t.Fatal("a desk write waited for a stalled pull's stream")
	}
	close(st.release)
	must(t, <-pulled)
	found, err := b.desk.FindPatients("stalled", 2*n)
	must(t, err)
	if len(found) != n {
		t.Fatalf("after the link came back the pull brought %d patients, want %d", len(found), n)
	}
}

// TestPullTransactionEndsAfterItsTime checks that a pull's transaction
// commits once it has been open for its time, however many changes
// Options.ApplyChanges would let it take: with no time at all, each
// batch merges in a transaction of its own, and the pull brings every
// patient.
func TestPullTransactionEndsAfterItsTime(t *testing.T) {
	srv := startServer(t)
	const n = 12
	b := batchedPair(t, srv, fastOptions(srv.addr), "Timed Merge", n)
	defer client.MergeMaxOpen(0)()
	before := client.MergeTxns()
	rep, err := b.client.Pull(context.Background())
	must(t, err)
	if txns := client.MergeTxns() - before; rep.Batches < n || txns < int64(rep.Batches) {
		t.Fatalf("a pull of %d batches merged in %d transactions; want one each, %d batches or more", rep.Batches, txns, n)
	}
	found, err := b.desk.FindPatients("timed", 2*n)
	must(t, err)
	if len(found) != n {
		t.Fatalf("the pull brought %d patients, want %d", len(found), n)
	}
}

// batchedPair is two workstations of an org in sync through srv, the
// first of which has then added n patients named prefix0, prefix1… and
// pushed them one change a batch; the second, returned, is yet to pull
// them, with opts letting one transaction take them all.
func batchedPair(t *testing.T, srv *syncServer, opts client.Options, prefix string, n int) *workstation {
	t.Helper()
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	opts.BatchChanges = 1
	a.connect(srv.addr, opts)
	opts.ApplyChanges = 10_000
	b.connect(srv.addr, opts)
	for i := range n {
		_, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("%s%d", prefix, i), DOB: "1970-01-01"})
		must(t, err)
	}
	a.sync()
	return b
}
