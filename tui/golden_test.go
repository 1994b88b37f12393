package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
)

// checkSize fails when the view has more lines than h or a line wider
// than w.
func checkSize(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d lines, more than the height %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells, wider than %d: %q", i+1, n, w, l)
		}
	}
}

// screens are the steps that bring each main screen up, after login as
// ana unless the step is the login itself.
var screens = []struct {
	name  string
	login bool
	steps func(h *harness)
}{
	{"login", false, func(h *harness) {}},
	{"login_error", false, func(h *harness) { h.typ("ana"); h.keys("enter"); h.typ("x"); h.keys("enter") }},
	{"schedule", true, func(h *harness) {}},
	{"schedule_other_doctor", true, func(h *harness) { h.keys("l j") }},
	{"week", true, func(h *harness) { h.keys("l w") }},
	{"search", true, func(h *harness) { h.keys("/"); h.typ("an") }},
	{"patient", true, func(h *harness) { h.keys("/"); h.typ("王"); h.keys("enter") }},
	{"register", true, func(h *harness) { h.keys("n"); h.typ("Zoë"); h.keys("tab"); h.typ("1990-02-30"); h.keys("tab") }},
	{"book", true, func(h *harness) { h.keys("l b"); h.typ("zoe"); h.keys("enter"); h.typ("tomorrow 14:00") }},
	{"book_clash", true, func(h *harness) {
		h.keys("l b")
		h.typ("zoe")
		h.keys("enter")
		h.typ("tomorrow 14:00")
		h.keys("enter")
	}},
	{"conflicts", true, func(h *harness) { h.keys("!") }},
	{"help", true, func(h *harness) { h.keys("?") }},
	{"locked", true, func(h *harness) { h.keys("/"); h.typ("zoe"); h.keys("enter ctrl+l") }},
	{"edit", true, func(h *harness) { h.keys("/"); h.typ("zoe"); h.keys("enter e") }},
	{"doctor_home", false, func(h *harness) { h.login("okafor") }},
	{"users", false, func(h *harness) { h.login("admin"); h.keys("A") }},
	{"hours", false, func(h *harness) { h.login("admin"); h.keys("A down down enter") }},
	{"users_role", false, func(h *harness) { h.login("admin"); h.keys("A r") }},
	{"users_reset", false, func(h *harness) { h.login("admin"); h.keys("A down p y") }},
	{"login_reset", false, func(h *harness) {
		h.b.life.codes = map[string]string{"ana": "FAKE-CODE-0001"}
		h.typ("ana")
		h.keys("enter")
		h.typ("x")
		h.keys("enter")
	}},
	{"undo_prompt", true, func(h *harness) { h.keys("l j c u") }},
	{"quit_confirm", true, func(h *harness) { h.keys("n"); h.typ("Half"); h.keys("ctrl+c") }},
}

// TestGolden compares every main screen at 80x24 and 120x40 with its
// golden file; go test ./tui -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				h := newHarness(t, sz[0], sz[1])
				if sc.login {
					h.login("ana")
				}
				sc.steps(h)
				v := h.view()
				checkSize(t, v, sz[0], sz[1])
				if n := len(strings.Split(v, "\n")); n != sz[1] {
					t.Errorf("%d lines, want the full height %d", n, sz[1])
				}
				if strings.Contains(v, "\x1b[") {
					t.Error("escape sequences in an ASCII view")
				}
				checkHelpLine(t, h)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// TestColorViewsFit checks the same screens drawn in colour, where styles
// add escape sequences, still fit the terminal.
func TestColorViewsFit(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			h := newHarnessProfile(t, sz[0], sz[1], termenv.TrueColor)
			if sc.login {
				h.login("ana")
			}
			sc.steps(h)
			v := h.view()
			checkSize(t, v, sz[0], sz[1])
			if !strings.Contains(v, "\x1b[") {
				t.Errorf("%s: no colour in a TrueColor view", sc.name)
			}
		}
	}
}

// checkHelpLine fails unless the line of keys above the status bar says
// how to get help, however narrow the terminal.
func checkHelpLine(t testing.TB, h *harness) {
	t.Helper()
	if h.m.help.ShowAll || h.m.confirm.Open() {
		return // full help, or a question in place of the line
	}
	lines := strings.Split(h.view(), "\n")
	line := lines[len(lines)-2]
	if !strings.Contains(line, "? help") && !strings.Contains(line, "f1 help") {
		t.Errorf("the help line does not offer help: %q", line)
	}
}

// layouts are days with more doctors than fit beside the waiting room.
var layouts = []struct {
	name  string
	extra int // doctors added to the fake clinic's three
	keys  string
	w, h  int
}{
	// Four columns fill 120 cells; the waiting room goes under them.
	{"four_doctors", 1, "l", 120, 40},
	// Nine doctors: a window of columns follows the selected one.
	{"nine_doctors", 6, "l l l l l", 120, 40},
	// The list at 80 cells, with the reason for the visit beside it.
	{"four_doctors", 1, "l l l", 80, 24},
}

// TestGoldenLayouts compares the day's layouts with many doctors with
// their golden files.
func TestGoldenLayouts(t *testing.T) {
	for _, tc := range layouts {
		t.Run(fmt.Sprintf("%s_%dx%d", tc.name, tc.w, tc.h), func(t *testing.T) {
			h := newHarness(t, tc.w, tc.h)
			h.b.addDoctors(tc.extra)
			h.login("ana")
			h.keys(tc.keys)
			v := h.view()
			checkSize(t, v, tc.w, tc.h)
			checkHelpLine(t, h)
			golden.RequireEqual(t, []byte(v))
		})
	}
}
