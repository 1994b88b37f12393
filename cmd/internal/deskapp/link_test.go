package deskapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/tui"
)

// TestLinkText: the status bar says what the server said.
func TestLinkText(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("sync: push: %w", client.ErrUnreachable), ""},
		{fmt.Errorf("%w: device 0a1b was revoked on 2026-12-01T20:00:00Z", client.ErrRefused), "refused: device revoked"},
		{fmt.Errorf("%w: bad token", client.ErrRefused), "refused by the server"},
		{client.ErrNotRegistered, "refused: not registered"},
		{fmt.Errorf("pull: %w", client.ErrStoreBehind), "server ahead of this store"},
		{context.DeadlineExceeded, "sync failing"},
		{errors.New("anything else"), "sync failing"},
	} {
		if got := linkText(client.Status{Online: true, Err: tt.err}); got != tt.want {
			t.Errorf("linkText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	for _, tt := range []struct {
		st   client.Status
		want string
	}{
		{client.Status{Online: true, Synced: true, State: "synced"}, ""},
		{client.Status{Online: true, Restored: 3, State: "synced; server lost 3 changes; restored them"}, "server lost data, restored 3"},
		{client.Status{Online: true, Quarantined: 2}, "2 quarantined"},
		{client.Status{Online: true, State: "clock off by 12m0s (ahead of the server's): set this workstation's clock"}, "clock off: set the time"},
	} {
		if got := linkText(tt.st); got != tt.want {
			t.Errorf("linkText(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}

// TestRefusedIsNotOnline runs a workstation the server will not serve (it
// never registered and has no token): the status bar must not say online
// while every call is refused.
func TestRefusedIsNotOnline(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	srv, err := server.New(server.Config{Backend: st, RegisterToken: "tok", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, stopServer := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { srv.Serve(ctx, lis); close(served) }()
	defer func() { stopServer(); <-served; st.Close() }()

	db, admin := newStore(t, "Stranger")
	must(t, admin.SetServer(lis.Addr().String()))

	syncer := NewSyncer(context.Background(), client.DialOptions{}, 10*time.Millisecond)
	defer syncer.Close()
	s, err := Backend{DB: db, Sync: syncer}.Login("admin", "admin-pass")
	must(t, err)
	waitFor(t, s, func(st tui.SyncStatus) bool { return st.Link != "" })
	if got := s.SyncStatus(); !strings.HasPrefix(got.Link, "refused") {
		t.Fatalf("status %+v, want the server's refusal", got)
	}
}
