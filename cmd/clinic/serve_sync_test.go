package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// statusSync is the sync part of the status bar: link, pending or synced,
// last sync.
var statusSync = regexp.MustCompile(`(online|offline|refused[^|]*|sync failing) \| (synced|\d+ pending) \| last sync (never|\d{2}:\d{2}|\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2})`)

// TestServedStoreSyncsAsTheDevice: clinic serve --unlock syncs as the
// device before anyone logs in, and keeps syncing while people log in and
// out on their terminals; a change made on another workstation arrives
// with nobody logged in and again while a doctor is, and every session's
// status bar shows the one sync state of the host.
func TestServedStoreSyncsAsTheDevice(t *testing.T) {
	host := setup(t)
	// The host's and the server's clock run from the fixed test day, so
	// that each screen polls the sync status every five seconds.
	start := time.Now()
	clock := func() time.Time { return host.now.Add(time.Since(start)) }
	addr := startSyncdClock(t, clock)
	host.as("admin", "admin-pass")
	syncOut(t, host, "--server", addr, "--token", syncToken)
	other := secondWorkstation(t, host)
	syncOut(t, other, "--server", addr)

	h := serveWith(t, host, hostOptions{unlock: true, now: clock, flags: []string{"--sync-interval", "20ms", "--idle-lock", "24h"}}, "desk", "dr.okafor")
	found := func(name string) {
		t.Helper()
		deadline := time.Now().Add(termWait)
		for {
			out, errOut, code := h.exec("desk", false, "", "patient find "+name)
			if code == 0 && strings.Contains(out, name) {
				return
			}
			if time.Now().After(deadline) {
				st, _, _ := h.exec("desk", false, "", "sync status")
				t.Fatalf("the host never pulled %s: exit %d: %s%s\nlog:\n%s\n%s", name, code, out, errOut, h.log.String(), st)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	other.as("desk", "staff-pass")
	other.must("patient", "add", "--name", "Quentin Remote", "--dob", "1971-05-06")
	syncOut(t, other)
	found("Quentin") // nobody has logged in on a terminal yet

	desk := h.terminal("desk")
	desk.login("desk", "staff-pass", "reception")
	desk.send("\x18") // ctrl+x: log out
	desk.see("Log in")
	doctor := h.terminal("dr.okafor")
	doctor.login("dr.okafor", "staff-pass", "doctor")

	other.must("patient", "add", "--name", "Rosa Remote", "--dob", "1985-07-08")
	syncOut(t, other)
	found("Rosa") // pulled while a doctor works and reception is logged out
	desk.login("desk", "staff-pass", "reception")

	// Both screens, polling on their own, settle on the same state: the
	// host's, which is synced. The renderer redraws only lines that
	// change, so the status bar is the last one sent since the start.
	doctor.mark, desk.mark = 0, 0
	d, r := doctor.settle(statusSync, "online | synced | "), desk.settle(statusSync, "online | synced | ")
	if d != r {
		t.Errorf("the sessions show different sync states:\ndoctor: %s\ndesk:   %s", d, r)
	}
	for _, name := range []string{"Quentin", "Rosa"} {
		if strings.Contains(h.log.String(), name) {
			t.Fatalf("a patient's name reached the host's log:\n%s", h.log.String())
		}
	}
}
