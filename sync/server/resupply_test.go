package server_test

import (
	"bytes"
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	"medisecure/sync/wire"
)

// resupply pushes raw, another device's batch, as caller.
func (o *org) resupply(h *harness, caller string, raw []byte) (*wire.PushResponse, error) {
	req := &wire.PushRequest{Envelope: raw, Resupply: true}
	o.sign(req, wire.Sync_Push_FullMethodName, caller)
	return h.client.Push(context.Background(), req)
}

func TestPushRefusesAGap(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 2))); err != nil {
		t.Fatal(err)
	}
	o.seq["dev-a"]++ // change 3 never reaches the server
	_, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1)))
	wantCode(t, "a batch after a gap", err, codes.OutOfRange)
	items, err := o.pull(h, "dev-a", 0, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("the server holds %d batches (%v), want the first only", len(items), err)
	}
}

func TestResupply(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b", "dev-c")
	raw := o.seal(t, "dev-b", o.changes(t, "dev-b", 2))
	// dev-a hands back dev-b's batch: dev-b's signature makes it good.
	resp, err := o.resupply(h, "dev-a", raw)
	if err != nil || resp.Duplicate || resp.FirstSeq != 1 || resp.LastSeq != 2 {
		t.Fatalf("resupply: %v, %v", resp, err)
	}
	if resp, err := o.resupply(h, "dev-c", raw); err != nil || !resp.Duplicate {
		t.Fatalf("resupplying a stored batch again: %v, %v; want a duplicate", resp, err)
	}
	// A batch dev-a signed is not dev-b's, whatever its header says.
	forged := o.seal(t, "dev-a", o.changes(t, "dev-a", 1))
	forged = bytes.Replace(forged, []byte("dev-a"), []byte("dev-b"), 1)
	_, err = o.resupply(h, "dev-c", forged)
	if err == nil {
		t.Fatal("a batch signed by another device was taken as dev-b's")
	}
	// Without resupply set, a device pushes only its own batches.
	_, err = o.push(h, "dev-a", o.seal(t, "dev-b", o.changes(t, "dev-b", 1)))
	wantCode(t, "another device's batch without resupply", err, codes.InvalidArgument)
}

func TestDevicesTellsTheLog(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	for range 3 {
		if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1))); err != nil {
			t.Fatal(err)
		}
	}
	req := &wire.DevicesRequest{}
	o.sign(req, wire.Sync_Devices_FullMethodName, "dev-a")
	resp, err := h.client.Devices(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Head != 3 || resp.Missing != 0 || resp.ServerUnixMs == 0 || resp.Devices[0].LastSeq != 3 {
		t.Fatalf("Devices: head %d, missing %d, time %d, last seq %d; want 3, 0, set, 3",
			resp.Head, resp.Missing, resp.ServerUnixMs, resp.Devices[0].LastSeq)
	}
}
