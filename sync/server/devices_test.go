package server_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

func TestRevokedDeviceRefusedAtOnce(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	if _, err := o.push(h, "dev-b", o.seal(t, "dev-b", o.changes(t, "dev-b", 1))); err != nil {
		t.Fatal(err)
	}
	// dev-b sealed this before it learnt of the revocation.
	pending := o.seal(t, "dev-b", o.changes(t, "dev-b", 1))
	oldEpoch := o.seal(t, "dev-a", o.changes(t, "dev-a", 1))

	minEpoch, err := o.revoke(t, h, "dev-a", "dev-b")
	if err != nil || minEpoch != 2 {
		t.Fatalf("RevokeDevice: min epoch %d, %v", minEpoch, err)
	}
	_, err = o.push(h, "dev-b", pending)
	wantCode(t, "push from the revoked device", err, codes.PermissionDenied)
	_, err = o.pull(h, "dev-b", 0, 0)
	wantCode(t, "pull by the revoked device", err, codes.PermissionDenied)
	req := &wire.DevicesRequest{}
	o.sign(req, wire.Sync_Devices_FullMethodName, "dev-b")
	_, err = h.client.Devices(context.Background(), req)
	wantCode(t, "Devices by the revoked device", err, codes.PermissionDenied)

	// A batch sealed under the epoch before the revocation is refused;
	// sealed again under the new epoch, the same changes are taken.
	_, err = o.push(h, "dev-a", oldEpoch)
	wantCode(t, "push under the old epoch", err, codes.FailedPrecondition)
	o.seq["dev-a"] = 0
	if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1))); err != nil {
		t.Fatalf("push under the new epoch: %v", err)
	}

	// The revoked device cannot come back under its old ID.
	add := &wire.AddDeviceRequest{Device: o.record(t, "dev-b", o.devices["dev-b"], o.admin, o.cert)}
	o.sign(add, wire.Sync_AddDevice_FullMethodName, "dev-a")
	_, err = h.client.AddDevice(context.Background(), add)
	wantCode(t, "adding the revoked device again", err, codes.PermissionDenied)

	list := &wire.DevicesRequest{}
	o.sign(list, wire.Sync_Devices_FullMethodName, "dev-a")
	resp, err := h.client.Devices(context.Background(), list)
	if err != nil {
		t.Fatal(err)
	}
	if resp.MinEpoch != 2 || len(resp.Devices) != 2 {
		t.Fatalf("Devices: min epoch %d, %d devices", resp.MinEpoch, len(resp.Devices))
	}
	for _, d := range resp.Devices {
		id := d.Record.Record.DeviceId
		if d.Revoked != (id == "dev-b") || (d.Revoked && d.RevokedUnixMs == 0) {
			t.Fatalf("Devices shows %s revoked=%v at %d", id, d.Revoked, d.RevokedUnixMs)
		}
		if id == "dev-a" && d.LastSeq != 1 || id == "dev-b" && d.LastSeq != 1 {
			t.Fatalf("Devices shows %s with last sequence %d", id, d.LastSeq)
		}
	}
}

func TestRevokeRefuses(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b", "dev-c")
	ctx := context.Background()
	revoke := func(t *testing.T, rev *wire.Revocation, signer []byte, cert *wire.AdminCert) error {
		t.Helper()
		sr, err := auth.SignRevocation(rev, signer, cert)
		if err != nil {
			t.Fatal(err)
		}
		req := &wire.RevokeDeviceRequest{Revocation: sr}
		o.sign(req, wire.Sync_RevokeDevice_FullMethodName, "dev-a")
		_, err = h.client.RevokeDevice(ctx, req)
		return err
	}
	rev := func(dev string, epoch uint32) *wire.Revocation {
		return &wire.Revocation{OrgId: o.id, DeviceId: dev, NewEpoch: epoch}
	}
	expired, _ := auth.CertifyAdmin(o.id, "bob", pub(o.admin), time.Now().Add(-time.Minute), o.root)
	wantCode(t, "signed by a device key", revoke(t, rev("dev-b", 2), o.devices["dev-a"], nil), codes.PermissionDenied)
	wantCode(t, "signed by an expired admin", revoke(t, rev("dev-b", 2), o.admin, expired), codes.PermissionDenied)
	wantCode(t, "for another organisation", revoke(t, &wire.Revocation{OrgId: "org-2", DeviceId: "dev-b", NewEpoch: 2}, o.root, nil), codes.InvalidArgument)
	wantCode(t, "of an unknown device", revoke(t, rev("dev-x", 2), o.root, nil), codes.NotFound)
	wantCode(t, "without an epoch", revoke(t, rev("dev-b", 0), o.root, nil), codes.InvalidArgument)
	if err := revoke(t, rev("dev-b", 3), o.root, nil); err != nil {
		t.Fatalf("revocation signed by the root: %v", err)
	}
	if err := revoke(t, rev("dev-b", 3), o.admin, o.cert); err != nil {
		t.Fatalf("revoking again: %v", err)
	}
	wantCode(t, "under an older epoch", revoke(t, rev("dev-c", 2), o.root, nil), codes.FailedPrecondition)
}

func TestAddDevice(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	ctx := context.Background()
	add := func(t *testing.T, caller string, sd *wire.SignedDevice) error {
		t.Helper()
		req := &wire.AddDeviceRequest{Device: sd}
		o.sign(req, wire.Sync_AddDevice_FullMethodName, caller)
		_, err := h.client.AddDevice(ctx, req)
		return err
	}
	// A workstation joining registers itself, with a record the admin
	// signed for it.
	o.devices["dev-new"] = newKey(t)
	joining := o.record(t, "dev-new", o.devices["dev-new"], o.admin, o.cert)
	if err := add(t, "dev-new", joining); err != nil {
		t.Fatalf("a device adding itself: %v", err)
	}
	if err := add(t, "dev-new", joining); err != nil {
		t.Fatalf("repeating the same addition: %v", err)
	}
	if _, err := o.push(h, "dev-new", o.seal(t, "dev-new", o.changes(t, "dev-new", 1))); err != nil {
		t.Fatalf("the joined device pushes: %v", err)
	}

	o.devices["dev-c"] = newKey(t)
	wantCode(t, "record signed by a device", add(t, "dev-a", o.record(t, "dev-c", o.devices["dev-c"], o.devices["dev-a"], nil)), codes.PermissionDenied)
	other := newKey(t)
	wantCode(t, "known ID with another key", add(t, "dev-a", o.record(t, "dev-new", other, o.admin, o.cert)), codes.AlreadyExists)
	o.devices["dev-y"] = newKey(t)
	stranger := o.record(t, "dev-y", o.devices["dev-y"], o.admin, o.cert)
	o.devices["dev-z"] = newKey(t)
	wantCode(t, "called by an unregistered device for another", add(t, "dev-z", stranger), codes.Unauthenticated)
	foreign := newOrg(t, "org-2")
	wantCode(t, "record of another organisation", add(t, "dev-a", foreign.record(t, "dev-c", o.devices["dev-c"], foreign.root, nil)), codes.InvalidArgument)
	if err := add(t, "dev-a", o.record(t, "dev-c", o.devices["dev-c"], o.root, nil)); err != nil {
		t.Fatalf("added by an existing device: %v", err)
	}
}
