package server_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc/codes"

	"medisecure/sync/server"
	"medisecure/sync/wire"
)

func TestPullPagesInOrder(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	const n = 40
	for i := range n {
		dev := []string{"dev-a", "dev-b"}[i%2]
		if _, err := o.push(h, dev, o.seal(t, dev, o.changes(t, dev, 1))); err != nil {
			t.Fatal(err)
		}
	}
	all, err := o.pull(h, "dev-a", 0, 0)
	if err != nil || len(all) != n {
		t.Fatalf("pull of everything: %d items, %v", len(all), err)
	}
	var cursor uint64
	var pages, got int
	for {
		items, err := o.pull(h, "dev-b", cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ServerSeq != cursor+1 {
				t.Fatalf("after cursor %d came %d", cursor, it.ServerSeq)
			}
			cursor = it.ServerSeq
			got++
		}
		pages++
		if len(items) < 7 {
			break
		}
	}
	if got != n || pages != n/7+1 {
		t.Fatalf("paged pull got %d batches in %d pages", got, pages)
	}
	if items, err := o.pull(h, "dev-a", n, 0); err != nil || len(items) != 0 {
		t.Fatalf("pull at the end: %d items, %v", len(items), err)
	}
}

func TestPullSeesOnlyOwnOrganisation(t *testing.T) {
	h := start(t, options{token: testToken})
	a := registered(t, h, "org-a")
	b := registered(t, h, "org-b")
	if _, err := a.push(h, "dev-a", a.seal(t, "dev-a", a.changes(t, "dev-a", 2))); err != nil {
		t.Fatal(err)
	}
	if items, err := b.pull(h, "dev-a", 0, 0); err != nil || len(items) != 0 {
		t.Fatalf("org-b pulled %d of org-a's batches (%v)", len(items), err)
	}
}

func TestPullRefusesTooLargeLimit(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	_, err := o.pull(h, "dev-a", 0, server.MaxPullLimit+1)
	wantCode(t, "pull with too large a limit", err, codes.InvalidArgument)
}

// With omit_own, the caller's own batches come as their server sequence
// alone; the others' come whole.
func TestPullOmitsOwnBatches(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	for i := range 4 {
		dev := []string{"dev-a", "dev-b"}[i%2]
		if _, err := o.push(h, dev, o.seal(t, dev, o.changes(t, dev, 1))); err != nil {
			t.Fatal(err)
		}
	}
	req := &wire.PullRequest{OmitOwn: true}
	o.sign(req, wire.Sync_Pull_FullMethodName, "dev-a")
	stream, err := h.client.Pull(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		item, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		own := i%2 == 0
		if item.ServerSeq != uint64(i+1) || own != (len(item.Envelope) == 0) {
			t.Fatalf("item %d: server_seq %d, %d bytes of envelope (own %v)", i, item.ServerSeq, len(item.Envelope), own)
		}
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last item: %v", err)
	}
}
