package client_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// heldPushes passes calls through to the server, but holds each push
// until its store keeps the batch after the pushed one, or the push is
// the last: a push that seals its next batch only after the one in
// flight is acknowledged never gets past it.
type heldPushes struct {
	grpc.ClientConnInterface
	s    *store.Session
	last uint64 // the last sequence the push covers
	// errs gets what went wrong, at most one per push; the push then
	// fails with it.
	errs   chan error
	pushes int
}

func (h *heldPushes) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if method == wire.Sync_Push_FullMethodName {
		h.pushes++
		if err := h.waitForNext(ctx, args.(*wire.PushRequest)); err != nil {
			h.errs <- err
			return err
		}
	}
	return h.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}

func (h *heldPushes) waitForNext(ctx context.Context, req *wire.PushRequest) error {
	b, err := envelope.Unmarshal(req.Envelope)
	if err != nil {
		return err
	}
	if b.Last >= h.last {
		return nil
	}
	for ctx.Err() == nil {
		kept, err := h.s.KeptBatches(b.Device, b.Last, 1)
		if err != nil {
			return err
		}
		if len(kept) == 1 && kept[0].First == b.Last+1 {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("the batch after %d..%d was not kept while it was in flight", b.First, b.Last)
}

// While a batch is in flight, the push seals and keeps the next one, so
// that it is ready when the acknowledgement comes; the changes pushed
// are counted once each, and the other workstation gets them all.
func TestPushSealsTheNextBatchWhileOneIsInFlight(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	newEditor(7).edit(t, a, 40)
	st := a.state()
	h := &heldPushes{ClientConnInterface: a.conn, s: a.admin, last: st.LastSeq, errs: make(chan error, 100)}
	opts := fastOptions(srv.addr)
	opts.BatchChanges = 4
	c := client.New(h, a.admin, opts)
	pushed, err := c.Push(context.Background())
	must(t, err)
	close(h.errs)
	for err := range h.errs {
		t.Error(err)
	}
	if h.pushes < 5 {
		t.Fatalf("%d pushes of %d changes in batches of 4", h.pushes, st.Pending)
	}
	if pushed != st.Pending {
		t.Errorf("the push reports %d changes, %d were pending", pushed, st.Pending)
	}
	if left := a.state(); left.Pending != 0 || left.LastAck != st.LastSeq {
		t.Fatalf("after the push: %+v", left)
	}
	if rep := b.sync(); rep.Pulled != st.Pending {
		t.Fatalf("b pulled %d changes, a pushed %d", rep.Pulled, st.Pending)
	}
	a.sync()
	sameExports(t, wss)
}

// cutPushes passes calls through, but fails every push after the first
// allow with Unavailable, noting each envelope it was asked to push.
type cutPushes struct {
	grpc.ClientConnInterface
	allow int
	seen  [][]byte
}

func (c *cutPushes) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if method == wire.Sync_Push_FullMethodName {
		c.seen = append(c.seen, args.(*wire.PushRequest).Envelope)
		if c.allow == 0 {
			return status.Error(codes.Unavailable, "the link is cut")
		}
		c.allow--
	}
	return c.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}

// A push cut after its first batch leaves the batch it could not push
// and the one sealed ahead of it kept, and the next push sends those very
// bytes: a batch is sealed once, even sealed ahead.
func TestBatchSealedAheadIsPushedAsKept(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	newEditor(11).edit(t, a, 30)
	st := a.state()
	if st.Pending < 12 {
		t.Fatalf("%d changes pending, want three batches of 4 at least", st.Pending)
	}
	opts := fastOptions(srv.addr)
	opts.BatchChanges = 4
	cut := &cutPushes{ClientConnInterface: a.conn, allow: 1}
	if _, err := client.New(cut, a.admin, opts).Push(context.Background()); err == nil {
		t.Fatal("a push over a link cut after one batch succeeded")
	}
	acked := a.state().LastAck
	if acked <= st.LastAck || acked >= st.LastSeq {
		t.Fatalf("acknowledged up to %d of %d..%d after one batch", acked, st.LastAck+1, st.LastSeq)
	}
	kept, err := a.admin.KeptBatches(a.db.DeviceID(), acked, 3)
	must(t, err)
	if len(kept) != 2 || kept[0].First != acked+1 || kept[1].First != kept[0].Last+1 {
		t.Fatalf("after the cut the store keeps %d batches after %d, want the one cut and the one sealed ahead of it", len(kept), acked)
	}
	if len(cut.seen) < 2 {
		t.Fatalf("%d pushes tried", len(cut.seen))
	}
	for _, e := range cut.seen[1:] {
		if !bytes.Equal(e, kept[0].Envelope) {
			t.Fatal("a retry of the cut push sent other bytes than the batch kept")
		}
	}
	again := &cutPushes{ClientConnInterface: a.conn, allow: 1 << 30}
	pushed, err := client.New(again, a.admin, opts).Push(context.Background())
	must(t, err)
	if len(again.seen) < 2 || !bytes.Equal(again.seen[0], kept[0].Envelope) || !bytes.Equal(again.seen[1], kept[1].Envelope) {
		t.Fatal("the next push did not start with the batches kept")
	}
	if want := st.Pending - int(acked-st.LastAck); pushed != want {
		t.Errorf("the second push reports %d changes, want %d", pushed, want)
	}
	if rep := b.sync(); rep.Pulled != st.Pending {
		t.Fatalf("b pulled %d changes, a made %d", rep.Pulled, st.Pending)
	}
	a.sync()
	sameExports(t, wss)
}
