package backendtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"medisecure/sync/server"
)

// RunInvites runs the conformance suite of server.InviteStore against
// backends that open returns, which must implement it: each subtest opens a
// fresh, empty one.
func RunInvites(t *testing.T, open func(t *testing.T) server.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b server.Backend, s server.InviteStore)
	}{
		{"TakeOnce", testTakeOnce},
		{"PutAgain", testPutAgain},
		{"Expiry", testInviteExpiry},
		{"UnknownOrg", testInviteUnknownOrg},
		{"Limit", testInviteLimit},
		{"ConcurrentTakes", testConcurrentTakes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t)
			s, ok := b.(server.InviteStore)
			if !ok {
				t.Fatalf("%T does not implement server.InviteStore", b)
			}
			tt.fn(t, b, s)
		})
	}
}

// invite is invitation n of org, put by dev-a at epoch0 for a day.
func invite(org string, n int) server.Invite {
	sum := sha256.Sum256(fmt.Appendf(nil, "invite %s %d", org, n))
	return server.Invite{
		ID: sum[:server.InviteIDSize], Org: org, Device: "dev-a",
		Blob:    fmt.Appendf(nil, "sealed invitation %d of %s", n, org),
		Created: epoch0, Expires: epoch0.Add(24 * time.Hour),
	}
}

func putOK(t *testing.T, s server.InviteStore, inv server.Invite, now time.Time) {
	t.Helper()
	if err := s.PutInvite(ctx, inv, now); err != nil {
		t.Fatalf("PutInvite(%x): %v", inv.ID, err)
	}
}

func sameInvite(got, want server.Invite) bool {
	return bytes.Equal(got.ID, want.ID) && got.Org == want.Org && got.Device == want.Device &&
		bytes.Equal(got.Blob, want.Blob) && got.Created.Equal(want.Created) && got.Expires.Equal(want.Expires)
}

func testTakeOnce(t *testing.T, b server.Backend, s server.InviteStore) {
	_, err := s.TakeInvite(ctx, invite("org-1", 1).ID, epoch0)
	wantErr(t, "taking from an empty store", err, server.ErrUnknownInvite)
	register(t, b, "org-1")
	inv := invite("org-1", 1)
	putOK(t, s, inv, epoch0)
	putOK(t, s, invite("org-1", 2), epoch0)
	got, err := s.TakeInvite(ctx, inv.ID, epoch0.Add(time.Hour))
	if err != nil || !sameInvite(got, inv) {
		t.Fatalf("TakeInvite: %+v, %v; want %+v", got, err, inv)
	}
	_, err = s.TakeInvite(ctx, inv.ID, epoch0.Add(time.Hour))
	wantErr(t, "taking an invitation again", err, server.ErrUnknownInvite)
	if got, err := s.TakeInvite(ctx, invite("org-1", 2).ID, epoch0); err != nil || !sameInvite(got, invite("org-1", 2)) {
		t.Fatalf("taking one invitation took another: %+v, %v", got, err)
	}
}

func testPutAgain(t *testing.T, b server.Backend, s server.InviteStore) {
	register(t, b, "org-1")
	register(t, b, "org-2")
	inv := invite("org-1", 1)
	putOK(t, s, inv, epoch0)
	putOK(t, s, inv, epoch0.Add(time.Minute)) // a retry after a lost answer
	other := inv
	other.Blob = []byte("another blob")
	wantErr(t, "another blob under a kept ID", s.PutInvite(ctx, other, epoch0), server.ErrInviteExists)
	elsewhere := inv
	elsewhere.Org = "org-2"
	wantErr(t, "the same ID for another organisation", s.PutInvite(ctx, elsewhere, epoch0), server.ErrInviteExists)
	got, err := s.TakeInvite(ctx, inv.ID, epoch0)
	if err != nil || !sameInvite(got, inv) {
		t.Fatalf("after refused puts TakeInvite gives %+v, %v; want the first", got, err)
	}
}

func testInviteExpiry(t *testing.T, b server.Backend, s server.InviteStore) {
	register(t, b, "org-1")
	inv := invite("org-1", 1)
	putOK(t, s, inv, epoch0)
	_, err := s.TakeInvite(ctx, inv.ID, inv.Expires)
	wantErr(t, "taking at the expiry time", err, server.ErrUnknownInvite)
	putOK(t, s, inv, epoch0)
	_, err = s.TakeInvite(ctx, inv.ID, inv.Expires.Add(time.Hour))
	wantErr(t, "taking after expiry", err, server.ErrUnknownInvite)
	_, err = s.TakeInvite(ctx, inv.ID, epoch0)
	wantErr(t, "taking an expired invitation again, at an earlier time", err, server.ErrUnknownInvite)

	// An expired invitation frees its ID, whether or not it was forgotten.
	putOK(t, s, inv, epoch0)
	later := inv
	later.Blob, later.Expires = []byte("a later invitation"), inv.Expires.Add(24*time.Hour)
	putOK(t, s, later, inv.Expires.Add(time.Minute))
	got, err := s.TakeInvite(ctx, inv.ID, inv.Expires.Add(2*time.Minute))
	if err != nil || !sameInvite(got, later) {
		t.Fatalf("TakeInvite after the ID was reused: %+v, %v", got, err)
	}
}

func testInviteUnknownOrg(t *testing.T, _ server.Backend, s server.InviteStore) {
	wantErr(t, "PutInvite", s.PutInvite(ctx, invite("org-unknown", 1), epoch0), server.ErrUnknownOrg)
	_, err := s.TakeInvite(ctx, invite("org-unknown", 1).ID, epoch0)
	wantErr(t, "TakeInvite of a refused put", err, server.ErrUnknownInvite)
}

func testInviteLimit(t *testing.T, b server.Backend, s server.InviteStore) {
	register(t, b, "org-1")
	register(t, b, "org-2")
	short := func(n int) server.Invite {
		inv := invite("org-1", n)
		if n == 0 {
			inv.Expires = epoch0.Add(time.Minute)
		}
		return inv
	}
	for n := range server.MaxPendingInvites {
		putOK(t, s, short(n), epoch0)
	}
	extra := invite("org-1", server.MaxPendingInvites)
	wantErr(t, "one invitation too many", s.PutInvite(ctx, extra, epoch0), server.ErrTooManyInvites)
	putOK(t, s, invite("org-2", 1), epoch0) // other organisations are not held back
	putOK(t, s, short(1), epoch0)           // nor retries

	// One expires: room for one more.
	putOK(t, s, extra, epoch0.Add(2*time.Minute))
	wantErr(t, "the next one", s.PutInvite(ctx, invite("org-1", server.MaxPendingInvites+1), epoch0.Add(2*time.Minute)), server.ErrTooManyInvites)
	// One is taken: room for one more.
	if _, err := s.TakeInvite(ctx, short(5).ID, epoch0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	putOK(t, s, invite("org-1", server.MaxPendingInvites+1), epoch0.Add(2*time.Minute))
}

func testConcurrentTakes(t *testing.T, b server.Backend, s server.InviteStore) {
	register(t, b, "org-1")
	inv := invite("org-1", 1)
	putOK(t, s, inv, epoch0)
	const takers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		taken int
		errs  []error
	)
	for range takers {
		wg.Go(func() {
			_, err := s.TakeInvite(ctx, inv.ID, epoch0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				taken++
			case !errors.Is(err, server.ErrUnknownInvite):
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 || taken != 1 {
		t.Fatalf("%d of %d concurrent takes got the invitation (errors %v), want exactly 1", taken, takers, errs)
	}
}
