package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/server/pgstore"
	"medisecure/sync/server/pgstore/pgtest"
)

// serveBackend runs a sync server over b in this process on 127.0.0.1:0,
// with the CLI tests' fixed clock, and returns its address; b is closed
// when the test ends.
func serveBackend(t *testing.T, b interface {
	server.Backend
	Close() error
}, now time.Time) string {
	t.Helper()
	srv, err := server.New(server.Config{
		Backend: b, RegisterToken: syncToken, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ShutdownGrace: time.Second,
	})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, lis)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		b.Close()
	})
	return lis.Addr().String()
}

// startPGSyncd runs a sync server on the PostgreSQL database dsn with a
// store of its own, as another syncd process on that database would.
func startPGSyncd(t *testing.T, dsn string, now time.Time) string {
	t.Helper()
	st, err := pgstore.Open(context.Background(), dsn)
	must(t, err)
	return serveBackend(t, st, now)
}

// Two syncd on one PostgreSQL database, a workstation on each: what each
// writes offline reaches the other through the other server, a double
// booking becomes the same conflict on both, and they end identical.
func TestTwoServersOneDatabase(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := setup(t)
	one, two := startPGSyncd(t, dsn, a.now), startPGSyncd(t, dsn, a.now)
	a.as("admin", "admin-pass")
	syncOut(t, a, "--server", one, "--token", syncToken)
	b := secondWorkstation(t, a)
	syncOut(t, b, "--server", two)

	a.as("desk", "staff-pass")
	b.as("desk", "staff-pass")
	book := func(c *cli, name string) {
		id := strings.TrimSpace(c.must("patient", "add", "--name", name, "--dob", "1980-04-04"))
		c.must("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30")
	}
	book(a, "Alma Through One")
	book(b, "Bruno Through Two")
	syncOut(t, a)
	if got := syncOut(t, b); got[1] == "0" || got[2] != "1" {
		t.Fatalf("b through the second server: pulled %s, conflicts %s; want a's changes and 1 conflict", got[1], got[2])
	}
	if got := syncOut(t, a); got[1] == "0" || got[2] != "1" {
		t.Fatalf("a through the first server: pulled %s, conflicts %s; want b's changes and 1 conflict", got[1], got[2])
	}
	for _, c := range []*cli{a, b} {
		if out := c.must("patient", "find", "through"); !strings.Contains(out, "Alma Through One") || !strings.Contains(out, "Bruno Through Two") {
			t.Errorf("find on one workstation:\n%s", out)
		}
	}
	var listed [2][]conflictRow
	for i, c := range []*cli{a, b} {
		must(t, json.Unmarshal([]byte(c.must("conflicts", "list", "--json")), &listed[i]))
	}
	if len(listed[0]) != 1 || len(listed[1]) != 1 || listed[0][0].ID != listed[1][0].ID {
		t.Fatalf("conflicts differ: %+v and %+v", listed[0], listed[1])
	}
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("the workstations differ after syncing through two servers on one database")
	}
	noPlaintextIn(t, dsn, "Alma Through One", "Bruno Through Two", "dr.okafor")
}

// noPlaintextIn fails the test when any row of any table of the database
// dsn names holds one of the words, as text or in a BYTEA column (which
// reads as hex).
func noPlaintextIn(t *testing.T, dsn string, words ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	must(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	must(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	if len(tables) < 5 {
		t.Fatalf("the database has only the tables %v", tables)
	}
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		must(t, err)
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(t, err)
		for _, text := range texts {
			for _, w := range words {
				if strings.Contains(text, w) || strings.Contains(text, hex.EncodeToString([]byte(w))) {
					t.Errorf("table %s holds %q in clear", table, w)
				}
			}
		}
	}
}

// The README's "Two clinics", command by command, on each backend: north
// registers the organisation, invites south, south joins and pulls
// everything; both book Dr Okafor at one time offline, syncing north,
// south, north shows the same conflict on both, and resolving it on
// north reaches south.
func TestTwoClinicsWalkthrough(t *testing.T) {
	for _, backend := range []string{"bolt", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			north, south := newCLI(t), newCLI(t)
			var addr string
			if backend == "postgres" {
				addr = startPGSyncd(t, pgtest.DSN(t), north.now)
			} else {
				st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
				must(t, err)
				addr = serveBackend(t, st, north.now)
			}
			twoClinics(t, north, south, addr)
		})
	}
}

// twoClinics walks the README's "Two clinics" on the server at addr.
func twoClinics(t *testing.T, north, south *cli, addr string) {
	north.as("admin", "a long passphrase")
	north.must("init", "--org", "Harbour Street Clinic", "--admin", "admin", "--zone", "Europe/Berlin")
	north.vars["CLINIC_NEW_PASSPHRASE"] = "staff passphrase"
	north.must("seed", "--patients", "50", "--days", "7")
	first := syncOut(t, north, "--server", addr, "--token", syncToken)
	if first[0] == "0" || first[1] != "0" || first[2] != "0" {
		t.Fatalf("north's first sync: pushed %s, pulled %s, conflicts %s", first[0], first[1], first[2])
	}
	if out := north.must("sync", "status"); !strings.Contains(out, "state:      synced") {
		t.Fatalf("north's status:\n%s", out)
	}
	inv := inviteJSON(t, north)
	// Terminal 3 names its user once, for the join and every command
	// after (the README said it only for the join, and the sync after it
	// failed with "no user").
	south.as("desk", "staff passphrase")
	south.must("join", "--user", "desk", inv.Code)
	if got := syncOut(t, south); got[0] != "0" || got[1] != first[0] {
		t.Fatalf("south's first sync: pushed %s, pulled %s; want 0 and north's %s", got[0], got[1], first[0])
	}

	north.as("desk", "staff passphrase")
	south.as("desk", "staff passphrase")
	appt := map[*cli]string{}
	for _, c := range []*cli{north, south} {
		var found []struct {
			ID string `json:"id"`
		}
		must(t, json.Unmarshal([]byte(c.must("patient", "find", "--json", "a")), &found))
		if len(found) == 0 {
			t.Fatal("patient find found nobody")
		}
		appt[c] = strings.TrimSpace(c.must("appt", "book", "--patient", found[0].ID, "--doctor", "dr.okafor", "--at", "2027-03-01 09:30"))
	}
	if out := north.must("sync", "status"); !strings.Contains(out, "not yet acknowledged") {
		t.Fatalf("north's status with a booking not pushed:\n%s", out)
	}
	for _, c := range []*cli{north, south, north} {
		syncOut(t, c)
	}
	var listed [2][]conflictRow
	for i, c := range []*cli{north, south} {
		must(t, json.Unmarshal([]byte(c.must("conflicts", "list", "--json")), &listed[i]))
	}
	if len(listed[0]) != 1 || len(listed[1]) != 1 || listed[0][0].ID != listed[1][0].ID {
		t.Fatalf("conflicts differ: %+v and %+v", listed[0], listed[1])
	}
	north.must("conflicts", "resolve", string(listed[0][0].ID), "--keep", appt[north], "--move-to", "2027-03-01 10:30")
	if got := syncOut(t, north); got[0] != "1" {
		t.Fatalf("north pushed %s after the resolution, want 1", got[0])
	}
	if got := syncOut(t, south); got[1] != "1" || got[2] != "0" {
		t.Fatalf("south after the resolution: pulled %s, conflicts %s; want 1 and 0", got[1], got[2])
	}
	north.as("admin", "a long passphrase")
	south.as("admin", "a long passphrase")
	if withoutMessages(north.must("export")) != withoutMessages(south.must("export")) {
		t.Fatal("north and south differ at the end of the walkthrough")
	}
}

// withoutMessages is an export without its messages, which are sealed to
// each recipient on each workstation and so differ by design.
func withoutMessages(export string) string {
	var out strings.Builder
	for _, line := range strings.SplitAfter(export, "\n") {
		if !strings.HasPrefix(line, `{"kind":"message"`) {
			out.WriteString(line)
		}
	}
	return out.String()
}
