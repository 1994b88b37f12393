package client_test

import (
	"context"
	"testing"

	"medisecure/core"
	"medisecure/sync/client"
)

// A revocation cut off after the new epoch started here (the device is
// refused, the server does not know the epoch yet) is finished by running
// it again, without a second rotation; the other workstations then get
// the new key in a batch they can open.
func TestRevokeFinishesAnUnfinishedRotation(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	a, b, c := wss[0], wss[1], wss[2]
	ctx := context.Background()
	victim := c.db.DeviceID()

	// What the first steps of Revoke do before a cut.
	must(t, a.client.RevokeDevice(ctx, victim, 1))
	epoch, err := a.admin.RotateEpoch()
	must(t, err)
	if epoch != 2 {
		t.Fatalf("rotated to epoch %d", epoch)
	}

	r, err := a.client.Revoke(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	if r.Already || r.Epoch != 2 || r.Previous != 1 || a.admin.Epoch() != 2 {
		t.Fatalf("Revoke finishing the rotation: %+v, epoch here %d", r, a.admin.Epoch())
	}
	if min, err := a.client.MinEpoch(ctx); err != nil || min != 2 {
		t.Fatalf("the server's minimum epoch is %d (%v), want 2", min, err)
	}
	if r, err := a.client.Revoke(ctx, victim); err != nil || !r.Already {
		t.Fatalf("revoking again: %+v, %v", r, err)
	}

	// b opens the key batch under epoch 1, and holds epoch 2 from its next
	// login on.
	b.sync()
	b.reopen()
	if b.admin.Epoch() != 2 {
		t.Fatalf("the other workstation is on epoch %d after syncing and logging in", b.admin.Epoch())
	}
	_, err = b.desk.AddPatient(core.Patient{Name: "Nora New-Epoch", DOB: "1990-02-03"})
	must(t, err)
	b.sync()
	a.sync()
	sameExports(t, wss[:2])

	_, err = c.client.SyncOnce(ctx)
	wantErr(t, err, client.ErrRefused)
	if _, err := c.admin.OrgKey(2); err == nil {
		t.Fatal("the revoked workstation holds the new epoch's key")
	}
}
