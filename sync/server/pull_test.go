package server_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	"medisecure/sync/server"
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
