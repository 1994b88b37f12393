package server_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"medisecure/sync/auth"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

func TestPushPullRoundTrip(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	sent := o.changes(t, "dev-a", 3)
	resp, err := o.push(h, "dev-a", o.seal(t, "dev-a", sent))
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if resp.ServerSeq != 1 || resp.Duplicate || resp.FirstSeq != 1 || resp.LastSeq != 3 {
		t.Fatalf("Push answered %v", resp)
	}
	items, err := o.pull(h, "dev-b", 0, 0)
	if err != nil || len(items) != 1 || items[0].ServerSeq != 1 {
		t.Fatalf("Pull: %v, %v", items, err)
	}
	got, err := o.open(t, h, "dev-b", items[0])
	if err != nil {
		t.Fatalf("opening the pulled batch: %v", err)
	}
	if !reflect.DeepEqual(got, sent) {
		t.Fatalf("pulled changes differ:\n got %+v\nwant %+v", got, sent)
	}
}

// A push says whether the log holds batches after it: a client with
// nothing else to learn need not pull.
func TestPushSaysWhetherBatchesFollow(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	raw := o.seal(t, "dev-a", o.changes(t, "dev-a", 1))
	first, err := o.push(h, "dev-a", raw)
	if err != nil || first.Later {
		t.Fatalf("the newest batch: %v, %v", first, err)
	}
	if _, err := o.push(h, "dev-b", o.seal(t, "dev-b", o.changes(t, "dev-b", 1))); err != nil {
		t.Fatal(err)
	}
	again, err := o.push(h, "dev-a", raw)
	if err != nil || !again.Duplicate || !again.Later {
		t.Fatalf("an old batch pushed again: %v, %v; want later set", again, err)
	}
}

func TestPushIsIdempotent(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	changes := o.changes(t, "dev-a", 2)
	raw := o.seal(t, "dev-a", changes)
	first, err := o.push(h, "dev-a", raw)
	if err != nil {
		t.Fatal(err)
	}
	// The same bytes again: a workstation that did not see the
	// acknowledgement pushes the batch it kept.
	for range 2 {
		resp, err := o.push(h, "dev-a", raw)
		if err != nil || !resp.Duplicate || resp.ServerSeq != first.ServerSeq {
			t.Fatalf("pushing again: %v, %v; want duplicate of %d", resp, err, first.ServerSeq)
		}
	}
	// The same sequences sealed afresh are another store's batch: a copy
	// of the store pushing under the original's device ID.
	_, err = o.push(h, "dev-a", o.seal(t, "dev-a", changes))
	wantCode(t, "the same sequences sealed again", err, codes.FailedPrecondition)
	items, err := o.pull(h, "dev-a", 0, 0)
	if err != nil || len(items) != 1 || !bytes.Equal(items[0].Envelope, raw) {
		t.Fatalf("stored %d batches (%v), want the first one only", len(items), err)
	}
	// A batch overlapping the stored one otherwise is refused.
	o.seq["dev-a"] = 1
	_, err = o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 3)))
	wantCode(t, "overlapping batch", err, codes.FailedPrecondition)
}

func TestPushRefuses(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	valid := func(t *testing.T) []byte { return o.seal(t, "dev-a", o.changes(t, "dev-a", 1)) }
	tests := []struct {
		name string
		req  func(t *testing.T) *wire.PushRequest
		code codes.Code
	}{
		{"tampered ciphertext", func(t *testing.T) *wire.PushRequest {
			raw := valid(t)
			raw[len(raw)-100] ^= 1
			return o.signed(&wire.PushRequest{Envelope: raw}, "dev-a")
		}, codes.InvalidArgument},
		{"batch signed by another key", func(t *testing.T) *wire.PushRequest {
			b, _ := envelope.Seal(o.changes(t, "dev-a", 1), o.orgKeys[1], 1, o.id, "dev-a", o.seq["dev-a"], o.seq["dev-a"], newKey(t))
			raw, _ := envelope.Marshal(b)
			return o.signed(&wire.PushRequest{Envelope: raw}, "dev-a")
		}, codes.InvalidArgument},
		{"another device's batch", func(t *testing.T) *wire.PushRequest {
			return o.signed(&wire.PushRequest{Envelope: o.seal(t, "dev-b", o.changes(t, "dev-b", 1))}, "dev-a")
		}, codes.InvalidArgument},
		{"not a batch", func(t *testing.T) *wire.PushRequest {
			return o.signed(&wire.PushRequest{Envelope: []byte("hello")}, "dev-a")
		}, codes.InvalidArgument},
		{"request signed by another key", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-a", newKey(t), time.Now())
			return req
		}, codes.Unauthenticated},
		{"request altered after signing", func(t *testing.T) *wire.PushRequest {
			req := o.signed(&wire.PushRequest{Envelope: valid(t)}, "dev-a")
			req.Envelope = valid(t)
			return req
		}, codes.Unauthenticated},
		{"signed for another method", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			o.sign(req, wire.Sync_Pull_FullMethodName, "dev-a")
			return req
		}, codes.Unauthenticated},
		{"unknown device", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-x", newKey(t), time.Now())
			return req
		}, codes.Unauthenticated},
		{"unknown organisation", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			auth.Sign(req, wire.Sync_Push_FullMethodName, "org-x", "dev-a", o.devices["dev-a"], time.Now())
			return req
		}, codes.Unauthenticated},
		{"time too old", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-a", o.devices["dev-a"], time.Now().Add(-6*time.Minute))
			return req
		}, codes.Unauthenticated},
		{"time in the future", func(t *testing.T) *wire.PushRequest {
			req := &wire.PushRequest{Envelope: valid(t)}
			auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-a", o.devices["dev-a"], time.Now().Add(6*time.Minute))
			return req
		}, codes.Unauthenticated},
		{"no auth", func(t *testing.T) *wire.PushRequest {
			return &wire.PushRequest{Envelope: valid(t)}
		}, codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.client.Push(context.Background(), tt.req(t))
			wantCode(t, "Push", err, tt.code)
		})
	}
	if items, _ := o.pull(h, "dev-a", 0, 0); len(items) != 0 {
		t.Fatalf("refused pushes stored %d batches", len(items))
	}
}

// signed signs req as device and returns it.
func (o *org) signed(req *wire.PushRequest, device string) *wire.PushRequest {
	o.sign(req, wire.Sync_Push_FullMethodName, device)
	return req
}

func TestTamperedBatchRefusedByClientToo(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 2))); err != nil {
		t.Fatal(err)
	}
	items, err := o.pull(h, "dev-b", 0, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("Pull: %v, %v", items, err)
	}
	// As if the server, or someone between, altered what it relays.
	items[0].Envelope[len(items[0].Envelope)-100] ^= 1
	if _, err := o.open(t, h, "dev-b", items[0]); !errors.Is(err, envelope.ErrBadSignature) {
		t.Fatalf("opening a tampered batch: got %v, want %v", err, envelope.ErrBadSignature)
	}
}

func TestReplayedRequestRefused(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	req := o.signed(&wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))}, "dev-a")
	if _, err := h.client.Push(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_, err := h.client.Push(context.Background(), req)
	wantCode(t, "replayed push", err, codes.Unauthenticated)
	if !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("the refusal does not say why: %v", err)
	}
	pull := &wire.DevicesRequest{}
	o.sign(pull, wire.Sync_Devices_FullMethodName, "dev-a")
	if _, err := h.client.Devices(context.Background(), pull); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Devices(context.Background(), pull)
	wantCode(t, "replayed Devices", err, codes.Unauthenticated)
}

func TestOversizeBatchRefused(t *testing.T) {
	const limit = 64 << 10
	h := start(t, options{token: testToken, maxBatch: limit})
	o := registered(t, h, "org-1")
	for _, size := range []int{limit + 1, 4 * limit, 2 << 20} {
		req := o.signed(&wire.PushRequest{Envelope: bytes.Repeat([]byte{7}, size)}, "dev-a")
		_, err := h.client.Push(context.Background(), req)
		wantCode(t, "oversize push", err, codes.ResourceExhausted)
	}
	if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1))); err != nil {
		t.Fatalf("a batch within the limit after refused ones: %v", err)
	}
}

// TestServerHoldsNoPlaintext pushes changes full of patient data and then
// searches the server's raw file and its logs for any of it.
func TestServerHoldsNoPlaintext(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	for _, dev := range []string{"dev-a", "dev-b"} {
		for range 3 {
			if _, err := o.push(h, dev, o.seal(t, dev, o.changes(t, dev, 5))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatal(err)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"push"`) {
		t.Fatalf("no push was logged:\n%s", logs)
	}
	for _, s := range append(secrets, testToken) {
		if bytes.Contains(file, []byte(s)) {
			t.Errorf("the server's file contains %q", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the server's logs contain %q", s)
		}
	}
}
