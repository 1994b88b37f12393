package pgstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"medisecure/sync/server"
	"medisecure/sync/server/backendtest"
	"medisecure/sync/server/pgstore/pgtest"
)

var ctx = context.Background()

// openTest opens a store in a schema of the test's own, closed when the
// test ends (before the schema is dropped).
func openTest(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) server.Backend { return openTest(t, pgtest.DSN(t)) })
}

func TestInviteConformance(t *testing.T) {
	backendtest.RunInvites(t, func(t *testing.T) server.Backend { return openTest(t, pgtest.DSN(t)) })
}

func TestOpenRefuses(t *testing.T) {
	if _, err := Open(ctx, "postgres://user:secret@[::1"); !errors.Is(err, ErrBadDSN) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("a malformed DSN: %v", err)
	}
}

// Two stores on one schema are two syncd processes on one database.
func TestSharedConformance(t *testing.T) {
	backendtest.RunShared(t, func(t *testing.T) (server.Backend, server.Backend) {
		dsn := pgtest.DSN(t)
		return openTest(t, dsn), openTest(t, dsn)
	})
}

// Several syncd processes starting at once on a new database migrate it
// once between them, with no advisory lock.
func TestOpenConcurrently(t *testing.T) {
	dsn := pgtest.DSN(t)
	const n = 6
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			s, err := Open(ctx, dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
	}
	s := openTest(t, dsn)
	var rows, max int
	if err := s.pool.QueryRow(ctx, `SELECT count(*), max(version) FROM syncd_schema`).Scan(&rows, &max); err != nil {
		t.Fatal(err)
	}
	if rows != SchemaVersion || max != SchemaVersion {
		t.Fatalf("syncd_schema holds %d rows up to %d, want one per migration up to %d", rows, max, SchemaVersion)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openTest(t, dsn)
	if _, err := s.pool.Exec(ctx, `INSERT INTO syncd_schema (version, name) VALUES ($1, 'from the future')`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dsn); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a newer schema: %v, want %v", err, ErrNewerSchema)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openTest(t, dsn)
	org := server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1, Created: time.UnixMilli(1)}
	if err := s.RegisterOrg(ctx, org, server.Device{ID: "dev-a", PublicKey: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Append(ctx, "org-1", server.Batch{Device: "dev-a", First: 1, Last: 2, Epoch: 1, Envelope: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dsn)
	got, err := s.Range(ctx, "org-1", 0, 10)
	if err != nil || len(got) != 1 || string(got[0].Envelope) != "x" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	seq, dup, err := s.Append(ctx, "org-1", server.Batch{Device: "dev-a", First: 3, Last: 3, Epoch: 1, Envelope: []byte("y")})
	if err != nil || dup || seq != 2 {
		t.Fatalf("append after reopening: %d %v %v", seq, dup, err)
	}
}

// A sequence beyond what BIGINT holds is refused as invalid, not failed
// as an internal error.
func TestSequenceOutOfRange(t *testing.T) {
	s := openTest(t, pgtest.DSN(t))
	if err := s.RegisterOrg(ctx, server.Org{ID: "org-1", RootKey: make([]byte, 32), MinEpoch: 1}, server.Device{ID: "dev-a"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Append(ctx, "org-1", server.Batch{Device: "dev-a", First: 1, Last: 1 << 63, Epoch: 1, Envelope: []byte("x")})
	if !errors.Is(err, server.ErrInvalid) {
		t.Fatalf("Append of sequence 2^63: %v, want %v", err, server.ErrInvalid)
	}
}
