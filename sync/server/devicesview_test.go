package server_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// TestDevicesSeqsOnlyLeavesTheRecordsOut asks for the devices as a
// workstation does at every sync: each device named with its last
// sequence, no signed record, in fewer bytes than the full list.
func TestDevicesSeqsOnlyLeavesTheRecordsOut(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	if _, err := o.push(h, "dev-b", o.seal(t, "dev-b", o.changes(t, "dev-b", 3))); err != nil {
		t.Fatal(err)
	}
	list := func(seqsOnly bool) *wire.DevicesResponse {
		req := &wire.DevicesRequest{SeqsOnly: seqsOnly}
		o.sign(req, wire.Sync_Devices_FullMethodName, "dev-a")
		resp, err := h.client.Devices(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	full, short := list(false), list(true)
	if len(short.Devices) != 2 || short.Head != full.Head {
		t.Fatalf("seqs_only listed %d devices at head %d, want 2 at %d", len(short.Devices), short.Head, full.Head)
	}
	got := map[string]uint64{}
	for _, d := range short.Devices {
		if d.Record != nil {
			t.Errorf("seqs_only sent device %s's record", d.DeviceId)
		}
		got[d.DeviceId] = d.LastSeq
	}
	if got["dev-a"] != 0 || got["dev-b"] != 3 {
		t.Errorf("seqs_only last sequences %v, want dev-a 0, dev-b 3", got)
	}
	if proto.Size(short) >= proto.Size(full)/2 {
		t.Errorf("seqs_only answer is %d bytes against %d with records, want under half", proto.Size(short), proto.Size(full))
	}
}
