package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"medisecure/sync/server/pgstore/pgtest"
)

// P11 runs end to end at a small size on the test database and prints
// its line in the format of TARGETS.md; the test never looks at the
// values.
func TestP11Runs(t *testing.T) {
	pgtest.Base(t) // P11 makes its own schema in it
	for k, v := range map[string]string{"BENCH_P9_DEVICES": "12", "BENCH_P9_BATCHES": "2", "BENCH_P9_CHANGES": "5"} {
		t.Setenv(k, v)
	}
	line, err := benchP11(context.Background(), config{dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d+ changes/s limit \d+ changes/s .*0 errors, 0 on bbolt`).MatchString(line) {
		t.Fatalf("P11 printed %q", line)
	}
}

// Without a database P11 says n/a and why.
func TestP11WithoutPostgreSQL(t *testing.T) {
	t.Setenv(pgtest.EnvDSN, "")
	line, err := benchP11(context.Background(), config{dir: t.TempDir()})
	if err != nil || !strings.HasPrefix(line, "n/a no PostgreSQL: "+pgtest.EnvDSN+" is not set") {
		t.Fatalf("P11 without a database: %q, %v", line, err)
	}
}
