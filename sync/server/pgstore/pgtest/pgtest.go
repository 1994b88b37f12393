// Package pgtest gives tests and benchmarks a PostgreSQL schema of their
// own in the database that MEDISECURE_PG_DSN names (scripts/
// pg-test-cluster.sh starts a throwaway cluster and prints it), so that
// they run in parallel and leave nothing behind.
//
// It may import pgx, testing and the standard library only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable that names the database tests use.
const EnvDSN = "MEDISECURE_PG_DSN"

// Howto says how to get a database for the tests.
const Howto = `start a throwaway cluster with: eval "$(scripts/pg-test-cluster.sh start)" (stop it with scripts/pg-test-cluster.sh stop "$MEDISECURE_PG_DIR")`

// DSN returns a connection string to a new, empty schema in the database
// MEDISECURE_PG_DSN names, dropped with everything in it when tb ends;
// without MEDISECURE_PG_DSN it fails or skips tb as Base does.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := Base(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, drop, err := NewSchema(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return dsn
}

// Base returns MEDISECURE_PG_DSN, for a test that makes its own schemas
// with NewSchema. Without it the test fails in CI (CI set), where
// PostgreSQL is always installed, and is skipped elsewhere, saying how to
// start one.
func Base(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set: .ci/run starts PostgreSQL for these tests; %s", EnvDSN, Howto)
		}
		tb.Skipf("no PostgreSQL for this test (%s is not set); %s", EnvDSN, Howto)
	}
	return base
}

// NewSchema creates a schema with a random name in the database base
// names and returns a connection string to the same database whose
// search_path is that schema, and the function that drops it.
func NewSchema(ctx context.Context, base string) (dsn string, drop func() error, err error) {
	var raw [6]byte
	rand.Read(raw[:])
	name := "test_" + hex.EncodeToString(raw[:])
	if err := exec(ctx, base, "CREATE SCHEMA "+name); err != nil {
		return "", nil, fmt.Errorf("creating schema %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, base, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			return fmt.Errorf("dropping schema %s: %w", name, err)
		}
		return nil
	}
	dsn, err = WithParam(base, "search_path", name)
	if err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// WithParam returns the connection string dsn with a run-time parameter
// set, in a postgres:// URL or in key=value form, whichever dsn is.
func WithParam(dsn, key, value string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("%s is not a connection string", EnvDSN)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " " + key + "=" + value, nil
}

// exec runs one statement on its own connection to base.
func exec(ctx context.Context, base, sql string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
