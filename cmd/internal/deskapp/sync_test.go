package deskapp

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/tui"
)

// The status bar says online only while background sync reaches the
// server, and pending changes drain without anyone running clinic sync.
func TestBackgroundSync(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	srv, err := server.New(server.Config{Backend: st, RegisterToken: "tok", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := lis.Addr().String()
	ctx, stopServer := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { srv.Serve(ctx, lis); close(served) }()
	defer func() { stopServer(); <-served; st.Close() }()

	db, admin := newStore(t, "Test")
	must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, "desk-pass"))

	if s, err := (Backend{DB: db}).Login("admin", "admin-pass"); err != nil || s.SyncStatus().Online {
		t.Fatalf("without background sync: %v, online %v", err, s.SyncStatus().Online)
	}
	conn, err := client.Dial(addr, client.DialOptions{})
	must(t, err)
	_, err = client.New(conn, admin, client.Options{Addr: addr, Token: "tok"}).SyncOnce(context.Background())
	conn.Close()
	must(t, err)

	syncer := NewSyncer(context.Background(), client.DialOptions{}, 10*time.Millisecond)
	defer syncer.Close()
	s, err := Backend{DB: db, Sync: syncer}.Login("desk", "desk-pass")
	must(t, err)
	_, err = s.AddPatient(core.Patient{Name: "Pending Patient", DOB: "1980-01-01"})
	must(t, err)
	waitFor(t, s, func(st tui.SyncStatus) bool { return st.Online && st.Pending == 0 })
	stopServer()
	<-served
	waitFor(t, s, func(st tui.SyncStatus) bool { return !st.Online })
}

// waitFor polls the status bar's sync status until ok, for a few seconds.
func waitFor(t *testing.T, s tui.Session, ok func(tui.SyncStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(s.SyncStatus()) {
		if time.Now().After(deadline) {
			t.Fatalf("sync status stuck at %+v", s.SyncStatus())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
