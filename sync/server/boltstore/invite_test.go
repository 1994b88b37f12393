package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
	"medisecure/sync/server/backendtest"
)

func TestInviteConformance(t *testing.T) {
	backendtest.RunInvites(t, func(t *testing.T) server.Backend { return openTest(t) })
}

// A file written before invitations existed has none of their buckets:
// taking finds nothing, putting makes them, and the file reopens.
func TestInvitesInAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syncd.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.UnixMilli(1740821400000)
	id := []byte("0123456789abcdef")
	if _, err := s.TakeInvite(ctx, id, now); !errors.Is(err, server.ErrUnknownInvite) {
		t.Fatalf("TakeInvite without the buckets: %v", err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInvites) != nil {
			t.Error("a take made the invitations' buckets")
		}
		return nil
	})
	org := server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1, Created: now}
	if err := s.RegisterOrg(ctx, org, server.Device{ID: "dev-a", PublicKey: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	inv := server.Invite{ID: id, Org: "org-1", Device: "dev-a", Blob: []byte("sealed"), Created: now, Expires: now.Add(time.Hour)}
	if err := s.PutInvite(ctx, inv, now); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	got, err := s.TakeInvite(ctx, id, now)
	if err != nil || string(got.Blob) != "sealed" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}

func TestDecodeInviteRefusesDamage(t *testing.T) {
	good := encodeInvite(server.Invite{Org: "org-1", Device: "dev-a", Blob: []byte("x"), Expires: time.UnixMilli(5)})
	if inv, err := decodeInvite([]byte("id"), good); err != nil || inv.Org != "org-1" || inv.Device != "dev-a" || string(inv.Blob) != "x" {
		t.Fatalf("a good value: %+v, %v", inv, err)
	}
	header := len(good) - 1 // all but the blob
	for n := range header {
		if _, err := decodeInvite([]byte("id"), good[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a value cut to %d bytes: %v, want %v", n, err, ErrCorrupt)
		}
	}
}
