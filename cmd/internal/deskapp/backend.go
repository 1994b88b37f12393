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
	// Sync, when set, syncs in the background from the first login on and
	// tells the status bar whether the server is reachable.
	Sync *Syncer
	// OnLogin, when set, is given every store session a login opens (the
	// background notification sender starts with the first that may send).
	OnLogin func(*store.Session)
	// LocalFiles lets the screens read files the user names (attachments):
	// set at a desk, never for terminals served over SSH.
	LocalFiles bool
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
	if b.Sync != nil {
		b.Sync.start(s)
	}
	if b.OnLogin != nil {
		b.OnLogin(s)
	}
	return tuiSession{Session: s, sync: b.Sync, files: b.LocalFiles}, nil
}

// RedeemReset sets a reset user's new passphrase in the store.
func (b Backend) RedeemReset(user, code, passphrase string) error {
	return b.DB.RedeemReset(user, code, passphrase)
}

// tuiSession adds the status bar's sync status to a store session.
type tuiSession struct {
	*store.Session
	sync  *Syncer
	files bool
}

// SyncStatus reports unacknowledged local changes, open conflicts, and
// whether the last call of background sync reached the server. Without
// background sync the workstation is offline, and it never claims to be
// synced while changes are pending.
func (s tuiSession) SyncStatus() tui.SyncStatus {
	st, err := s.SyncState()
	if err != nil {
		return tui.SyncStatus{}
	}
	out := tui.SyncStatus{Pending: st.Pending, LastAck: st.LastAck, LastPull: st.LastPull}
	if s.sync != nil {
		link := s.sync.Status()
		out.Online, out.Link = link.Online, linkText(link)
	}
	if open, err := s.Conflicts(); err == nil {
		out.Conflicts = len(open)
	}
	if notices, err := s.StaffNotifications(); err == nil {
		out.Notices = len(notices)
	}
	return out
}
