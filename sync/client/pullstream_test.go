package client_test

import (
	"context"
	"fmt"
	"testing"

	"medisecure/core"
)

// TestPullMergesAcrossDirectoryBatches checks that a pull whose page holds
// patients, then a batch bringing a new user, then that user's patients,
// merges them all whatever a transaction holds: the transaction merging
// batches as they stream ends before the directory batch, the directory
// is imported, and the new user's changes merge under it, none
// quarantined.
func TestPullMergesAcrossDirectoryBatches(t *testing.T) {
	for _, apply := range []int{1, 7, 100_000} {
		t.Run(fmt.Sprintf("apply %d", apply), func(t *testing.T) {
			srv := startServer(t)
			wss := newOrg(t, 2)
			online(t, srv, wss)
			converge(t, wss)
			a, b := wss[0], wss[1]
			opts := fastOptions(srv.addr)
			opts.BatchChanges, opts.ApplyChanges = 4, apply
			a.connect(srv.addr, opts)
			b.connect(srv.addr, opts)
			for i := range 10 {
				_, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Before Rita%d", i), DOB: "1970-01-01"})
				must(t, err)
			}
			a.sync()
			must(t, a.admin.AddUser(core.User{Name: "rita", Role: core.RoleReception}, "rita-pass-1"))
			a.sync()
			rita, err := a.db.Login("rita", "rita-pass-1")
			must(t, err)
			for i := range 10 {
				_, err := rita.AddPatient(core.Patient{Name: fmt.Sprintf("By Rita%d", i), DOB: "1970-01-01"})
				must(t, err)
			}
			a.sync()
			rep, err := b.client.Pull(context.Background())
			must(t, err)
			if rep.Quarantined != 0 || rep.Directory == 0 || rep.Changes < 20 {
				t.Fatalf("pulled %+v, want 20 changes or more, the directory, nothing quarantined", rep)
			}
			found, err := b.desk.FindPatients("rita", 50)
			must(t, err)
			if len(found) != 20 {
				t.Fatalf("found %d patients, want 20", len(found))
			}
			for _, p := range found {
				if got, err := b.desk.Patient(p.ID, "check"); err != nil || (got.CreatedBy == "rita") != (got.Name[:2] == "By") {
					t.Errorf("patient %+v (%v)", got, err)
				}
			}
			sameExports(t, wss)
		})
	}
}
