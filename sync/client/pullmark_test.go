package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"medisecure/core"
)

// TestPullEndsMarkedEitherWay checks that a pull is marked done (its
// time stamped, every patient it brought found by search) both when its
// last page is short, and its last transaction marks it
// (store.Session.ApplyLastBatches), and when the last page comes back
// empty after a full one, and MarkPulled does.
func TestPullEndsMarkedEitherWay(t *testing.T) {
	for _, limit := range []int{0, 3} {
		t.Run(fmt.Sprintf("pull limit %d", limit), func(t *testing.T) {
			srv := startServer(t)
			wss := newOrg(t, 2)
			online(t, srv, wss)
			a, b := wss[0], wss[1]
			opts := fastOptions(srv.addr)
			opts.BatchChanges, opts.ApplyChanges = 100, 120
			a.connect(srv.addr, opts)
			opts.PullLimit = limit
			b.connect(srv.addr, opts)
			const n = 300 // three batches of a hundred
			for i := range n {
				_, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Marked Number%d", i), DOB: "1970-01-01"})
				must(t, err)
			}
			a.sync()
			before := b.state().LastPull
			b.clock.advance(time.Second)
			rep, err := b.client.Pull(context.Background())
			must(t, err)
			if rep.Changes < n {
				t.Fatalf("pulled %+v, want at least %d changes", rep, n)
			}
			if st := b.state(); !st.LastPull.After(before) || !st.LastPull.Equal(b.clock.now()) {
				t.Fatalf("after the pull the last pull is %v (before it %v), want %v", st.LastPull, before, b.clock.now())
			}
			found, err := b.desk.FindPatients("number", 2*n)
			if err != nil || len(found) != n {
				t.Fatalf("search after the pull found %d patients, err %v; want %d", len(found), err, n)
			}
		})
	}
}
