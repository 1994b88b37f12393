package server_test

import (
	"context"
	"testing"

	"medisecure/sync/wire"
)

// TestPushAnswersWithTheViewBeforeIt pushes with view set: the answer
// carries what Devices with seqs_only says, as it was before the batch was
// filed. A push without view gets none.
func TestPushAnswersWithTheViewBeforeIt(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	if _, err := o.push(h, "dev-b", o.seal(t, "dev-b", o.changes(t, "dev-b", 3))); err != nil {
		t.Fatal(err)
	}
	plain, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if plain.View != nil {
		t.Fatalf("a push without view got one: %v", plain.View)
	}
	req := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 2)), View: true}
	o.sign(req, wire.Sync_Push_FullMethodName, "dev-a")
	resp, err := h.client.Push(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	v := resp.View
	if v == nil {
		t.Fatal("a push with view got none")
	}
	if resp.ServerSeq != 3 || v.Head != 2 || v.Missing != 0 || v.MinEpoch != 1 || v.ServerUnixMs == 0 {
		t.Fatalf("push filed at %d with the view %v, want the view before it (head 2)", resp.ServerSeq, v)
	}
	last := map[string]uint64{}
	for _, d := range v.Devices {
		if d.Record != nil {
			t.Fatalf("the view carries %s's signed record; a push's view is seqs only", d.DeviceId)
		}
		last[d.DeviceId] = d.LastSeq
	}
	if last["dev-a"] != 1 || last["dev-b"] != 3 {
		t.Fatalf("the view lists %v, want dev-a at 1 (before this batch) and dev-b at 3", last)
	}

	devices := &wire.DevicesRequest{SeqsOnly: true}
	o.sign(devices, wire.Sync_Devices_FullMethodName, "dev-a")
	after, err := h.client.Devices(context.Background(), devices)
	if err != nil {
		t.Fatal(err)
	}
	if after.Head != 3 {
		t.Fatalf("Devices after the push says head %d, want 3", after.Head)
	}
}
