package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// inboxScreens bring up the inbox: Dr Okafor's list, and the message
// with a file opened.
var inboxScreens = []struct {
	name  string
	steps func(h *harness)
}{
	{"inbox_list", func(h *harness) { h.login("okafor"); h.keys("M") }},
	{"inbox_read", func(h *harness) { h.login("okafor"); h.keys("M enter") }},
	{"compose_new", func(h *harness) {
		h.login("okafor")
		h.keys("M c")
		h.typ("role:doctor, ana")
		h.keys("tab")
		h.typ("Rota")
	}},
	{"compose_reply", func(h *harness) { h.login("okafor"); h.keys("M enter r") }},
	{"inbox_search", func(h *harness) { h.login("okafor"); h.keys("M / r o t a") }},
	{"tele_booked", func(h *harness) {
		for i := range h.b.patients {
			h.b.patients[i].Consent.Telemedicine = true
		}
		h.login("okafor")
		h.keys("V b")
	}},
	{"notices_list", func(h *harness) {
		h.login("okafor")
		h.send(syncStatusMsg{status: SyncStatus{Notices: 2}})
		h.keys("I")
	}},
}

// TestInboxGolden compares the inbox at 80x24 and 120x40 with its golden
// files (go test ./tui -run TestInboxGolden -update).
func TestInboxGolden(t *testing.T) {
	for _, sc := range inboxScreens {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				h := newHarness(t, sz[0], sz[1])
				seedInbox(h.b)
				sc.steps(h)
				v := h.view()
				checkSize(t, v, sz[0], sz[1])
				checkHelpLine(t, h)
				if strings.Contains(v, "\x1b[") {
					t.Error("escape sequences in an ASCII view")
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// inboxSized are the inbox screens for TestEverySize.
func inboxSized() []struct {
	name  string
	login bool
	steps func(h *harness)
} {
	var out []struct {
		name  string
		login bool
		steps func(h *harness)
	}
	for _, sc := range inboxScreens {
		out = append(out, struct {
			name  string
			login bool
			steps func(h *harness)
		}{sc.name, false, func(h *harness) { seedInbox(h.b); sc.steps(h) }})
	}
	return out
}

// Messages were readable by nobody in the TUI. Now M opens the inbox with
// the unread count, enter opens the newest message, which marks it read,
// and esc goes back to the list with one fewer unread.
func TestInboxReadMarksRead(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedInbox(h.b)
	h.login("okafor")
	h.keys("M")
	h.mustSee("Messages (2 unread)", "NEW", "Lab results", "Rota for Friday", "to ana")
	h.keys("enter")
	h.mustSee("Potassium 6.1, please call back.", "Attached: bloods-zoe.pdf", "Read  okafor")
	h.keys("esc")
	h.mustSee("Messages (1 unread)")
	if v := h.view(); strings.Contains(v, "\x1b[2J") {
		t.Errorf("a subject drove the terminal:\n%q", v)
	}
	h.login("ana")
	h.keys("M")
	h.mustSee("Messages (1 unread)", "Room 1 needs gloves")
}
