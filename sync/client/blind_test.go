package client_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"medisecure/core"
)

// A revoked device stays blind to what is sealed after its revocation even
// when the server forgets the revocation: the server's file is restored
// from a copy taken before it, the other workstations hand the server back
// what it lost, and the revoked laptop syncs with its users' keys. It gets
// the rotated directory (its admin's login moves to the new epoch), and
// opens nothing sealed under that epoch: it was given no device share of it.
func TestRevokedDeviceStaysBlindAfterServerRestore(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	a, r2, c := wss[0], wss[1], wss[2]
	srv.halt()
	before, err := os.ReadFile(srv.path)
	must(t, err)
	srv.start()

	if _, err := a.client.Revoke(context.Background(), r2.db.DeviceID()); err != nil {
		t.Fatal(err)
	}
	p, err := a.desk.AddPatient(core.Patient{Name: "After Revoke", DOB: "1970-01-01"})
	must(t, err)
	must(t, doctorOf(t, a).Add(&core.Note{PatientID: p.ID, Author: doctor, Subjective: "note after revoke"}))
	a.sync()
	c.sync()
	c.reopen()
	c.sync()
	if out := c.export(); !strings.Contains(out, "After Revoke") || !strings.Contains(out, "note after revoke") {
		t.Fatal("a workstation that stays does not read what was written after the revocation: the test proves nothing")
	}

	// The server forgets the revocation and the epoch after it.
	srv.halt()
	must(t, os.WriteFile(srv.path, before, 0o600))
	srv.start()
	for range 2 {
		a.sync()
		c.sync()
	}
	r2.client.SyncOnce(context.Background())
	r2.reopen()
	r2.client.SyncOnce(context.Background())
	r2.client.SyncOnce(context.Background())
	if got := r2.admin.Epoch(); got != 2 {
		t.Fatalf("the revoked device is on epoch %d: the restored server did not hand it the rotated directory, so the test proves nothing", got)
	}
	out := r2.export()
	for _, secret := range []string{"After Revoke", "note after revoke"} {
		if strings.Contains(out, secret) {
			t.Errorf("the revoked device reads %q, sealed after its revocation", secret)
		}
	}
	raw, err := os.ReadFile(r2.path)
	must(t, err)
	if strings.Contains(string(raw), "After Revoke") {
		t.Error("the revoked device's file holds the new patient's name in clear")
	}
}
