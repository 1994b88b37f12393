package boltstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
	"medisecure/sync/server/backendtest"
)

// openTest opens a store in a temporary directory and, when the test ends,
// checks the file's consistency and closes it.
func openTest(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "syncd.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		check(tb, s)
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// check runs bbolt's consistency check over the whole file.
func check(tb testing.TB, s *Store) {
	tb.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		tb.Errorf("consistency check of %s: %v", s.path, err)
	}
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) server.Backend { return openTest(t) })
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syncd.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org := server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1, Created: time.UnixMilli(1)}
	if err := s.RegisterOrg(ctx, org, server.Device{ID: "dev-a", PublicKey: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Append(ctx, "org-1", server.Batch{Device: "dev-a", First: 1, Last: 2, Epoch: 1, Envelope: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Range(ctx, "org-1", 0, 10)
	if err != nil || len(got) != 1 || string(got[0].Envelope) != "x" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	seq, dup, err := s.Append(ctx, "org-1", server.Batch{Device: "dev-a", First: 3, Last: 3, Epoch: 1, Envelope: []byte("y")})
	if err != nil || dup || seq != 2 {
		t.Fatalf("append after reopening: %d %v %v", seq, dup, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	notBolt := filepath.Join(dir, "notes.txt")
	os.WriteFile(notBolt, []byte("Ada Lovelace's chart, not a database"), 0o600)
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("records")); return err })
	db.Close()
	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion+1)) })
	s.Close()

	tests := []struct {
		name string
		path string
		want error
	}{
		{"a directory", dir, ErrNotStore},
		{"a text file", notBolt, ErrNotStore},
		{"another program's bbolt file", foreign, ErrNotStore},
		{"a newer schema", newer, ErrNewerSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path)
			if !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("in use", func(t *testing.T) {
		s := openTest(t)
		if _, err := Open(s.Path()); !errors.Is(err, ErrInUse) {
			t.Fatalf("got %v, want %v", err, ErrInUse)
		}
	})
}

// bbolt lets one process hold the file: the shared suite runs its two
// servers on one handle.
func TestSharedConformance(t *testing.T) {
	backendtest.RunShared(t, func(t *testing.T) (server.Backend, server.Backend) {
		s := openTest(t)
		return s, s
	})
}
