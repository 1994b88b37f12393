package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/credentials/insecure"

	"medisecure/sync/server/pgstore"
	"medisecure/sync/server/pgstore/pgtest"
)

func TestBackendFlagsRefused(t *testing.T) {
	t.Setenv(dsnEnv, "")
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"postgres without a DSN", []string{"--backend", "postgres"}, exitUsage, "needs --dsn"},
		{"postgres with --data", []string{"--backend", "postgres", "--dsn", "postgres://x@127.0.0.1/db", "--data", "d"}, exitUsage, "--data is for the bbolt backend"},
		{"bolt with --dsn", []string{"--data", "d", "--dsn", "postgres://x@127.0.0.1/db"}, exitUsage, "--dsn is for --backend postgres"},
		{"an unknown backend", []string{"--backend", "mysql", "--data", "d"}, exitUsage, `--backend "mysql" is neither bolt nor postgres`},
		{"a malformed DSN", []string{"--backend", "postgres", "--dsn", "postgres://admin:hunter2@[::1"}, exitStorage, "not a PostgreSQL connection string"},
		{"nobody listening", []string{"--backend", "postgres", "--dsn", "postgres://admin:hunter2@127.0.0.1:1/db?connect_timeout=5"}, exitStorage, "cannot reach the database 127.0.0.1:1/db"},
		{"check without a DSN", []string{"check", "--backend", "postgres"}, exitUsage, "needs --dsn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout strings.Builder
			err := run(context.Background(), tt.args, &stdout, &stdout)
			if err == nil {
				t.Fatal("run succeeded")
			}
			if code := exitCode(err); code != tt.code {
				t.Errorf("exit code %d, want %d (%v)", code, tt.code, err)
			}
			msg := message(err)
			if !strings.Contains(msg, tt.says) || strings.Contains(msg, "hunter2") || strings.Contains(msg, "pgstore:") {
				t.Errorf("message %q does not say %q in one plain sentence without the password", msg, tt.says)
			}
		})
	}
}

// syncd serves a PostgreSQL database named by --dsn or by SYNCD_DSN.
func TestServesPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	checkHealth(t, serve(t, "--listen", "127.0.0.1:0", "--backend", "postgres", "--dsn", dsn), insecure.NewCredentials())
	t.Setenv(dsnEnv, dsn)
	checkHealth(t, serve(t, "--listen", "127.0.0.1:0", "--backend", "postgres"), insecure.NewCredentials())
}

func TestCheckPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	fillOrgs(t, st)
	st.Close()
	check := func() (string, error) {
		var stdout strings.Builder
		err := run(context.Background(), []string{"check", "--backend", "postgres", "--dsn", dsn}, &stdout, &stdout)
		return stdout.String(), err
	}
	out, err := check()
	if err != nil {
		t.Fatalf("check of a sound database: %v\n%s", err, out)
	}
	for _, want := range []string{"organisation org-a: ok (1 devices, 5 batches)", "organisation org-b: ok (1 devices, 5 batches)", "syncd check: ok, 2 organisations"} {
		if !strings.Contains(out, want) {
			t.Errorf("check says\n%s\nwithout %q", out, want)
		}
	}

	// One byte of one of org-a's envelopes changed, and one of org-b's
	// batches deleted, by someone with access to the database.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range []string{
		`UPDATE batches SET envelope = set_byte(envelope, length(envelope) - 10, get_byte(envelope, length(envelope) - 10) # 1) WHERE org = 'org-a' AND seq = 3`,
		`DELETE FROM batches WHERE org = 'org-b' AND seq = 2`,
	} {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
	out, err = check()
	if exitCode(err) != exitStorage || !strings.Contains(message(err), "2 of 2 organisations damaged") || !strings.Contains(message(err), "restore the database") {
		t.Fatalf("check of a damaged database: exit %d, %v", exitCode(err), err)
	}
	for _, want := range []string{"organisation org-a: DAMAGED", "batch 3:", "organisation org-b: DAMAGED", "batch 2 (device dev-a's 2..2) is missing from the log"} {
		if !strings.Contains(out, want) {
			t.Errorf("check says\n%s\nwithout %q", out, want)
		}
	}
}
