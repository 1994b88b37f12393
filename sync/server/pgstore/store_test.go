package pgstore

import (
	"context"
	"errors"
	"strings"
	"testing"

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
