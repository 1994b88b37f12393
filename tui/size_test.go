package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"pgregory.net/rapid"
)

// sized are the screens of the golden tests and a few more, each with
// realistic content: the day with many doctors, the week, a long list.
var sized = append(append([]struct {
	name  string
	login bool
	steps func(h *harness)
}(nil), screens...),
	struct {
		name  string
		login bool
		steps func(h *harness)
	}{"many_doctors", true, func(h *harness) { h.b.addDoctors(9); h.keys("r l l l l") }},
	struct {
		name  string
		login bool
		steps func(h *harness)
	}{"week_list", true, func(h *harness) { h.keys("l w") }},
	struct {
		name  string
		login bool
		steps func(h *harness)
	}{"cancel_prompt", true, func(h *harness) { h.keys("l j j C") }},
)

// TestEverySize draws every screen at sizes from 1x1 to 300x100: none may
// panic (the day and the week did at four rows or fewer, with a stack
// trace), and every frame fits the terminal.
func TestEverySize(t *testing.T) {
	for _, sc := range append(append(append(sized, clinicalSized()...), billingSized()...), inboxSized()...) {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t, 80, 24)
			if sc.login {
				h.login("ana")
			}
			sc.steps(h)
			for _, sz := range [][2]int{{1, 1}, {1, 100}, {300, 1}, {2, 2}, {80, 3}, {80, 4}, {80, 5}, {120, 4}, {300, 100}} {
				drawAt(t, h, sz[0], sz[1])
			}
			rapid.Check(t, func(rt *rapid.T) {
				w, ht := rapid.IntRange(1, 300).Draw(rt, "w"), rapid.IntRange(1, 100).Draw(rt, "h")
				if msg := drawAt(nil, h, w, ht); msg != "" {
					rt.Fatal(msg)
				}
			})
		})
	}
}

// drawAt resizes to w×h and draws, reporting a panic or a frame that
// does not fit; with t set it fails the test itself.
func drawAt(t *testing.T, h *harness, w, ht int) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("%dx%d: panic: %v", w, ht, r)
		}
		if t != nil && msg != "" {
			t.Helper()
			t.Fatal(msg)
		}
	}()
	h.m.Update(tea.WindowSizeMsg{Width: w, Height: ht})
	v := h.m.View()
	lines := strings.Split(v, "\n")
	if len(lines) > ht {
		return fmt.Sprintf("%dx%d: %d lines", w, ht, len(lines))
	}
	for _, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			return fmt.Sprintf("%dx%d: a line of %d cells: %q", w, ht, n, l)
		}
	}
	return ""
}
