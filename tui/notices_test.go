package tui

import (
	"strings"
	"testing"
)

// In-app notifications had no list and no badge. The status bar counts
// what waits for the user; I opens the list, and enter on an unread
// message goes to the inbox, where reading it clears it.
func TestNoticeBadgeAndList(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedInbox(h.b)
	h.login("okafor")
	h.send(syncStatusMsg{status: SyncStatus{}})
	if bar := h.m.statusBar(); strings.Contains(bar, "new: I") {
		t.Errorf("badge with nothing waiting: %q", bar)
	}
	h.send(syncStatusMsg{status: SyncStatus{Notices: 2}})
	if bar := h.m.statusBar(); !strings.Contains(bar, "[2 new: I]") {
		t.Errorf("bar %q, want the badge", bar)
	}
	h.keys("I")
	h.mustSee("Notifications (2)", "message", "Unread message from ana")
	h.keys("enter")
	h.mustSee("Messages (3, 2 unread)")
	h.keys("enter esc esc esc")
	h.keys("I")
	h.mustSee("Notifications (1)")
}
