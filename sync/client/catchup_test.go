package client_test

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"

	"medisecure/core"
	"medisecure/sync/client"
)

// TestLongPullRaisesTheGCTargetWhileItRuns checks that a pull that merges
// more than the catch-up threshold raises the garbage collector's target
// once and sets it back when it ends, and that a short pull leaves it.
func TestLongPullRaisesTheGCTargetWhileItRuns(t *testing.T) {
	defer client.GCByOperator(false)()
	defer client.CatchUpAfter(150)()
	before := debug.SetGCPercent(110)
	defer debug.SetGCPercent(before)
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	opts := fastOptions(srv.addr)
	opts.BatchChanges, opts.ApplyChanges = 50, 60
	a.connect(srv.addr, opts)
	b.connect(srv.addr, opts)
	add := func(n int) {
		for i := range n {
			_, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Catching Up%d", i), DOB: "1970-01-01"})
			must(t, err)
		}
		a.sync()
	}
	pull := func() client.PullReport {
		rep, err := b.client.Pull(context.Background())
		must(t, err)
		return rep
	}
	pull() // what the org's set-up brought
	add(40)
	raised := client.GCRaised()
	if rep := pull(); rep.Changes < 40 || client.GCRaised() != raised {
		t.Fatalf("a pull of %d changes raised the target %d times; want 40 or more changes and none", rep.Changes, client.GCRaised()-raised)
	}
	add(300)
	if rep := pull(); rep.Changes < 300 || client.GCRaised() != raised+1 {
		t.Fatalf("a pull of %d changes raised the target %d times; want 300 or more changes and once", rep.Changes, client.GCRaised()-raised)
	}
	p := debug.SetGCPercent(110)
	if p != 110 {
		t.Fatalf("after the long pull the target is %d, want 110 as it was", p)
	}
}
