// Package deskapp joins the terminal UI to the store: it adapts a store
// session to the tui.Session interface, adding what the status bar shows
// about sync. The workstation binary and the benchmarks share it.
package deskapp

import (
	"medisecure/store"
	"medisecure/tui"
)

// Backend lets the TUI log in to the store: store sessions satisfy
// tui.Session once they can report sync status.
type Backend struct {
	DB *store.DB
}

var (
	_ tui.Backend = Backend{}
	_ tui.Session = tuiSession{}
)

// Login opens a store session for the TUI. It returns a nil interface on
// error, never a typed nil.
func (b Backend) Login(user, passphrase string) (tui.Session, error) {
	s, err := b.DB.Login(user, passphrase)
	if err != nil {
		return nil, err
	}
	return tuiSession{s}, nil
}

// tuiSession adds the status bar's sync status to a store session.
type tuiSession struct {
	*store.Session
}

// SyncStatus reports unacknowledged local changes and open conflicts.
// Until this workstation syncs with a server it is offline, and never
// claims to be synced.
func (s tuiSession) SyncStatus() tui.SyncStatus {
	st, err := s.SyncState()
	if err != nil {
		return tui.SyncStatus{}
	}
	out := tui.SyncStatus{Pending: st.Pending, LastAck: st.LastAck, LastPull: st.LastPull}
	if open, err := s.Conflicts(); err == nil {
		out.Conflicts = len(open)
	}
	return out
}
