package tui

import (
	"strings"
	"testing"

	"medisecure/core"
)

// TestPendingAtOnce: the pending count goes up with the write that made
// the change, not at the next sync poll.
func TestPendingAtOnce(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.mustSee("3 pending")
	h.keys("l j c") // check in Anna Schmidt; no tick follows
	h.mustSee("Checked in Anna Schmidt", "4 pending")
}

// TestStatusBarSaysWhatTheServerSaid: a refused workstation is not
// "online"; the bar shows the server's word and never "synced".
func TestStatusBarSaysWhatTheServerSaid(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("ana")
	h.send(syncStatusMsg{status: SyncStatus{Online: true, Link: "refused: device revoked", LastPull: at(10, 8, 55)}})
	bar := h.m.statusBar()
	if !strings.Contains(bar, "refused: device revoked") || strings.Contains(bar, "online") || strings.Contains(bar, "synced") {
		t.Fatalf("status bar %q", bar)
	}
}

// hostile is text that would drive a terminal if printed raw: clear the
// screen, set the window title, write the clipboard (OSC 52), return the
// carriage, reverse the line (bidi override).
const hostile = "Evil\x1b[2J\x1b]0;PWNED\x1b\\\x1b]52;c;cm0gLXJmIC8=\x07\r\n\u202eMallory"

// TestNothingStoredDrivesTheTerminal stores a patient name, a room, a
// reason and a booking user that carry escape sequences, as sync could
// bring them, and draws every screen that shows them: no escape sequence
// or control character reaches the terminal (the view is drawn without
// colour, so any ESC is the record's).
func TestNothingStoredDrivesTheTerminal(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.b.patients[5].Name = hostile        // Mary O'Brien, 10:00 with Dr Okafor
	h.b.patients[5].Address = hostile     // shown on her record
	h.b.appts[3].Room = "1\x1b[31m"       // her appointment's room
	h.b.appts[3].Reason = hostile         // and its reason
	h.b.appts[8].CreatedBy = "ben\x1b[2J" // one side of the conflict
	h.b.doctors[1].DisplayName = "Dr \x1b]0;x\x07Okafor"
	h.login("ana")
	views := map[string]string{}
	for _, step := range []struct{ name, keys string }{
		{"day", "l j j j"}, {"week", "w"}, {"conflicts", "w !"}, {"search", "esc /"},
	} {
		h.keys(step.keys)
		if step.name == "search" {
			h.typ("mall")
		}
		views[step.name] = h.view()
	}
	h.keys("enter")
	views["record"] = h.view()
	for name, v := range views {
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e"} {
			if strings.Contains(v, bad) {
				t.Errorf("%s shows %q raw:\n%q", name, bad, v)
			}
		}
	}
	if !strings.Contains(views["record"], "EvilMallory") && !strings.Contains(views["record"], "Evil") {
		t.Errorf("the record does not show the name at all:\n%s", views["record"])
	}
	_ = core.ApptBooked
}
