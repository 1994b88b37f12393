package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"medisecure/tui/ui"
)

// demoHint is the login hint the tests show.
const demoHint = "Demo users: ana (reception), okafor (doctor). Passphrase: demo"

// harness drives the root model by calling Update, running each returned
// Cmd at once and feeding its message back, as a program would.
type harness struct {
	t    testing.TB
	m    *model
	b    *fakeBackend
	quit bool
}

// newHarness is the interface on a fake clinic at w×h, ASCII only, with
// ticks switched off: tests send tickMsg themselves.
func newHarness(t testing.TB, w, h int) *harness {
	t.Helper()
	return newHarnessProfile(t, w, h, termenv.Ascii)
}

// newHarnessProfile is newHarness drawing with a colour profile.
func newHarnessProfile(t testing.TB, w, h int, p termenv.Profile) *harness {
	t.Helper()
	b := newFakeBackend()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	m := New(b, Options{Now: b.clock.Now, Renderer: r, DemoHint: demoHint}).(*model)
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m.c.Tick = m.tick
	hs := &harness{t: t, m: m, b: b}
	hs.send(m.Init(), tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// send gives each message to Update and runs what it returns. A tea.Cmd
// among the messages is run first.
func (h *harness) send(msgs ...any) {
	h.t.Helper()
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case nil:
		case tea.Cmd:
			h.run(msg, 0)
		case []tea.Msg:
			for _, m := range msg {
				h.send(m)
			}
		default:
			_, cmd := h.m.Update(msg)
			h.run(cmd, 0)
		}
	}
}

// run runs a Cmd and everything it leads to, to a bounded depth.
func (h *harness) run(cmd tea.Cmd, depth int) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	if depth > 40 {
		h.t.Fatal("commands keep coming: a loop?")
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c, depth+1)
		}
	case tea.QuitMsg:
		h.quit = true
	default:
		_, next := h.m.Update(msg)
		h.run(next, depth+1)
	}
}

// typeText is the key presses that type s.
func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		if r == ' ' {
			out = append(out, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

// namedKeys are the special keys tests press by name.
var namedKeys = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "ctrl+l": tea.KeyCtrlL,
	"ctrl+n": tea.KeyCtrlN, "ctrl+u": tea.KeyCtrlU, "ctrl+x": tea.KeyCtrlX, "ctrl+t": tea.KeyCtrlT, "f1": tea.KeyF1, "space": tea.KeySpace,
}

// press is the key named s: a special key such as "enter", or one rune.
func press(s string) tea.Msg {
	if t, ok := namedKeys[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// keys presses each key of a space-separated list: "j j enter".
func (h *harness) keys(list string) {
	h.t.Helper()
	for _, k := range strings.Fields(list) {
		h.send(press(k))
	}
}

// typ types text.
func (h *harness) typ(s string) {
	h.t.Helper()
	h.send(typeText(s))
}

// login logs user in with the demo passphrase.
func (h *harness) login(user string) {
	h.t.Helper()
	h.typ(user)
	h.keys("enter")
	h.typ("demo")
	h.keys("enter")
	if h.m.sess == nil {
		h.t.Fatalf("login as %s failed:\n%s", user, h.view())
	}
}

// view is the screen as the terminal would show it.
func (h *harness) view() string { return h.m.View() }

// mustSee fails unless the screen shows every text.
func (h *harness) mustSee(texts ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range texts {
		if !strings.Contains(v, s) {
			h.t.Fatalf("screen does not show %q:\n%s", s, v)
		}
	}
}

// mustNotSee fails if the screen shows any text.
func (h *harness) mustNotSee(texts ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range texts {
		if strings.Contains(v, s) {
			h.t.Fatalf("screen shows %q:\n%s", s, v)
		}
	}
}

// front is the screen in front.
func (h *harness) front() ui.Screen { return h.m.front() }
