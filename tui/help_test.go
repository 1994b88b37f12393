package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// helpLine is the frame's help line, the one above the status bar.
func helpLine(h *harness) string {
	lines := strings.Split(h.view(), "\n")
	return lines[len(lines)-2]
}

// TestKeptHelpLineFollowsTheScreenAndTheWidth: the short help line kept
// between frames is drawn again when the screen's keys change or the
// width does, and is what bubbles/help draws.
func TestKeptHelpLineFollowsTheScreenAndTheWidth(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.login("ana")
	schedule := helpLine(h)
	if got := helpLine(h); got != schedule {
		t.Fatalf("the same frame drew another help line:\n%q\n%q", schedule, got)
	}
	h.keys("/")
	search := helpLine(h)
	if search == schedule || !strings.Contains(search, "select") {
		t.Errorf("the search shows the schedule's help line:\n%q", search)
	}
	fresh := h.m.help.ShortHelpView(frameKeys{screen: h.front(), global: h.m.globalKeys()}.ShortHelp())
	if search != fresh {
		t.Errorf("kept help line %q, bubbles/help draws %q", search, fresh)
	}
	h.send(tea.WindowSizeMsg{Width: 50, Height: 30})
	if narrow := helpLine(h); narrow == search || len(narrow) >= len(search) {
		t.Errorf("at 50 cells the help line is still the 120-cell one:\n%q", narrow)
	}
	h.keys("esc")
	h.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	if back := helpLine(h); back != schedule {
		t.Errorf("back on the schedule the help line is\n%q, want\n%q", back, schedule)
	}
}
