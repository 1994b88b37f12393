package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"medisecure/store"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

const syncToken = "operator-token"

// startSyncd runs a sync server in this process on 127.0.0.1:0, with the
// CLI tests' fixed clock, and returns its address.
func startSyncd(t *testing.T, now time.Time) string {
	t.Helper()
	return startSyncdClock(t, func() time.Time { return now })
}

// startSyncdClock is startSyncd with a clock of the test's own.
func startSyncdClock(t *testing.T, now func() time.Time) string {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	srv, err := server.New(server.Config{
		Backend: st, RegisterToken: syncToken, Now: now,
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
		st.Close()
	})
	return lis.Addr().String()
}

// secondWorkstation makes another workstation of c's organisation from a
// copy of c's store given its own device identity with clinic sync
// new-device (joining is the next step), logged in as c's admin.
func secondWorkstation(t *testing.T, c *cli) *cli {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.dir, "clinic.db"))
	must(t, err)
	d := newCLI(t)
	must(t, os.WriteFile(filepath.Join(d.dir, "clinic.db"), raw, 0o600))
	d.as("admin", "admin-pass")
	if out := d.must("sync", "new-device"); !strings.Contains(out, "this store is now device") {
		t.Fatalf("sync new-device printed %q", out)
	}
	return d
}

// exportOf is c's export, as its admin, without messages (sealed to each
// recipient on each workstation, so different by design).
func exportOf(t *testing.T, c *cli) string {
	t.Helper()
	user, pass := c.vars["CLINIC_USER"], c.vars["CLINIC_PASSPHRASE"]
	c.as("admin", "admin-pass")
	defer c.as(user, pass)
	var out strings.Builder
	for _, line := range strings.SplitAfter(c.must("export"), "\n") {
		if !strings.HasPrefix(line, `{"kind":"message"`) {
			out.WriteString(line)
		}
	}
	return out.String()
}

var syncLine = regexp.MustCompile(`^pushed (\d+), pulled (\d+), conflicts (\d+)\n$`)

// syncOut runs clinic sync and returns its three counts as text.
func syncOut(t *testing.T, c *cli, args ...string) []string {
	t.Helper()
	out := c.must(append([]string{"sync"}, args...)...)
	m := syncLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("clinic sync printed %q", out)
	}
	return m[1:]
}

// Two workstations and a server: the first registers the organisation
// with the token, the second (an admin's copy) enrolls itself; a double
// booking made offline on both shows the same conflict on both, and the
// resolution on one clears it on both. sync status stays honest.
func TestSyncTwoWorkstations(t *testing.T) {
	a := setup(t)
	addr := startSyncd(t, a.now)
	a.as("admin", "admin-pass")
	if out := a.must("sync", "status"); !strings.Contains(out, "never synced") || strings.Contains(out, "state:      synced") {
		t.Errorf("status before any sync:\n%s", out)
	}
	a.expect(exitUsage, `no sync server yet: give --server`, "sync")
	a.expect(exitAuth, `refused this workstation: wrong registration token`, "sync", "--server", addr, "--token", "guess")
	if got := syncOut(t, a, "--server", addr, "--token", syncToken); got[0] == "0" || got[1] != "0" {
		t.Fatalf("first sync: pushed %s, pulled %s", got[0], got[1])
	}
	if out := a.must("sync", "status"); !strings.Contains(out, "state:      synced") || !strings.Contains(out, "pending:    0 changes") || !strings.Contains(out, addr) {
		t.Errorf("status after sync:\n%s", out)
	}
	b := secondWorkstation(t, a)
	b.expect(exitUsage, `no sync server yet: give --server`, "sync")
	// A copy keeps the batches of the store it was copied from: it
	// pulls only what came since, here nothing.
	if got := syncOut(t, b, "--server", addr); got[1] != "0" {
		t.Fatalf("the second workstation pulled %s changes it had", got[1])
	}
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("exports differ after the first syncs")
	}

	// Offline, both book dr.okafor at the same time.
	a.as("desk", "staff-pass")
	b.as("desk", "staff-pass")
	book := func(c *cli, name string) string {
		id := strings.TrimSpace(c.must("patient", "add", "--name", name, "--dob", "1980-04-04"))
		return strings.TrimSpace(c.must("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30"))
	}
	keep, other := book(a, "Alma Offline"), book(b, "Bruno Offline")
	status := a.must("sync", "status")
	if !strings.Contains(status, "not yet acknowledged") || strings.Contains(status, "state:      synced") {
		t.Errorf("status with unpushed changes claims too much:\n%s", status)
	}
	syncOut(t, a)
	if got := syncOut(t, b); got[2] != "1" {
		t.Fatalf("b: %s conflicts after sync, want 1", got[2])
	}
	if got := syncOut(t, a); got[2] != "1" {
		t.Fatalf("a: %s conflicts after sync, want 1", got[2])
	}
	var listed [2][]conflictRow
	for i, c := range []*cli{a, b} {
		must(t, json.Unmarshal([]byte(c.must("conflicts", "list", "--json")), &listed[i]))
	}
	if len(listed[0]) != 1 || len(listed[1]) != 1 || listed[0][0].ID != listed[1][0].ID {
		t.Fatalf("conflicts differ: %+v and %+v", listed[0], listed[1])
	}
	id := string(listed[0][0].ID)
	if out := b.must("conflicts", "list"); !strings.Contains(out, id) || !strings.Contains(out, "dr.okafor") || !strings.Contains(out, "2026-12-07 09:30") {
		t.Errorf("conflicts list:\n%s", out)
	}

	a.expect(exitUsage, `needs --keep`, "conflicts", "resolve", id)
	a.expect(exitUsage, `malformed id`, "conflicts", "resolve", "nope", "--keep", keep)
	a.expect(exitValidation, `not part of that conflict`, "conflicts", "resolve", id, "--keep", "0123456789abcdef01234567")
	a.expect(exitValidation, `not found`, "conflicts", "resolve", "0123456789abcdef01234567", "--keep", keep)
	a.as("billing", "staff-pass")
	a.expect(exitAuth, `billing may not`, "conflicts", "resolve", id, "--keep", keep)
	a.as("desk", "staff-pass")
	if out := a.must("conflicts", "resolve", id, "--keep", keep); !strings.Contains(out, "resolved "+id) {
		t.Errorf("resolve printed %q", out)
	}
	a.expect(exitValidation, `already resolved|not found`, "conflicts", "resolve", id, "--keep", keep)
	syncOut(t, a)
	if got := syncOut(t, b); got[2] != "0" {
		t.Fatalf("b: %s conflicts after the resolution synced", got[2])
	}
	if out := b.must("conflicts", "list"); strings.Contains(out, id) {
		t.Errorf("b still lists the conflict:\n%s", out)
	}
	if out := b.must("appt", "list", "--date", "2026-12-07", "--doctor", "dr.okafor"); !strings.Contains(out, other) || !strings.Contains(out, "cancelled") {
		t.Errorf("b's schedule after the resolution:\n%s", out)
	}
	syncOut(t, a)
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("exports differ after the resolution synced")
	}
}

// An unreachable server is exit 4 with one sentence naming it.
func TestSyncUnreachableServer(t *testing.T) {
	c := setup(t)
	c.as("admin", "admin-pass")
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := lis.Addr().String()
	lis.Close()
	c.expect(exitStore, `^clinic: cannot reach the sync server at `+regexp.QuoteMeta(addr)+`: connection refused\n$`, "sync", "--server", addr, "--token", syncToken)
	c.expect(exitUsage, `not host:port`, "sync", "--server", "no-port-here")
	c.expect(exitUsage, `unexpected "sideways"`, "sync", "sideways")
	if out := c.must("sync", "status"); !strings.Contains(out, "never synced") {
		t.Errorf("status after a failed sync:\n%s", out)
	}
}

// A receptionist's first sync on an unregistered organisation cannot
// register it: exit 2.
func TestSyncNeedsRegistration(t *testing.T) {
	c := setup(t)
	addr := startSyncd(t, c.now)
	c.as("desk", "staff-pass")
	c.expect(exitAuth, `not registered with the sync server`, "sync", "--server", addr)
	c.as("admin", "admin-pass")
	c.expect(exitAuth, `not registered with the sync server at .*--token`, "sync", "--server", addr)
}

// clinic sync --watch keeps syncing until interrupted, then exits 0.
func TestSyncWatch(t *testing.T) {
	c := setup(t)
	addr := startSyncd(t, c.now)
	c.as("admin", "admin-pass")
	var out, errOut lockedBuffer
	e := &env{
		stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return c.vars[k] },
		now:    func() time.Time { return c.now },
		opts:   store.Options{KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"sync", "--data", c.dir, "--server", addr, "--token", syncToken, "--watch", "--interval", "20ms"}, e)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "pushed") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if got := <-code; got != exitOK {
		t.Fatalf("sync --watch exited %d: %s", got, errOut.String())
	}
	if n := strings.Count(out.String(), "pushed"); n < 3 {
		t.Fatalf("sync --watch reported %d rounds:\n%s", n, out.String())
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
