package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"medisecure/tui/ui"
)

// fullHelpHeight is the room full help takes, so opening it resizes the
// body once rather than with every change of the screen's keys.
const fullHelpHeight = 8

// View draws the frame: header, the screen's body, help and status bar.
func (m *model) View() string {
	s := m.front()
	helpLine := ui.Fit(m.helpView(s), m.width, m.helpHeight())
	if m.confirm.Open() {
		helpLine = ui.Fit(m.confirm.View(m.styles, m.width), m.width, m.helpHeight())
	}
	v := m.frame(s, m.header(s), helpLine, m.statusBar())
	// Each part is one line or fitted already; only a terminal too short
	// for them all needs cutting again.
	if strings.Count(v, "\n") >= m.height {
		v = ui.Fit(v, m.width, m.height)
	}
	return v
}

// frame is the header, the screen's body fitted to its size, the help
// line and the status bar, one line after another. A screen that writes
// its body into the frame itself saves the copy, when what it wrote fits.
func (m *model) frame(s ui.Screen, header, help, status string) string {
	if w, ok := s.(ui.ViewWriter); ok {
		pre, post := header+"\n", "\n"+help+"\n"+status
		var b strings.Builder
		w.WriteView(&b, pre, post)
		v := b.String()
		if len(v) >= len(pre)+len(post) && ui.Fits(v[len(pre):len(v)-len(post)], m.width, m.bodyHeight()) {
			return v
		}
	}
	return strings.Join([]string{header, ui.Fit(s.View(), m.width, m.bodyHeight()), help, status}, "\n")
}

// layout gives every screen the body's size.
func (m *model) layout() {
	m.help.Width = m.width
	w, h := m.width, m.bodyHeight()
	if m.login != nil {
		m.login.SetSize(w, h)
	}
	for _, s := range m.stack {
		s.SetSize(w, h)
	}
}

func (m *model) helpHeight() int {
	if m.help.ShowAll {
		return min(fullHelpHeight, max(1, m.height-4))
	}
	return 1
}

// bodyHeight is what is left after the header, help and status bar.
func (m *model) bodyHeight() int { return max(1, m.height-2-m.helpHeight()) }

// header names the product and the screen, with the spinner while busy.
func (m *model) header(s ui.Screen) string {
	st := m.styles
	left := st.Brand.Render("MediSecure") + "  " + st.Header.Render(s.Title())
	right := ""
	if m.busy() {
		right = m.c.Spinner() + " "
	}
	if m.sess != nil {
		right += m.c.Now().In(m.c.Zone()).Format("Mon 2 Jan 15:04")
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ui.Truncate(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// helpView is the short or full help for the screen, with the keys that
// work everywhere added. The short line is kept while its keys and the
// width stay the same: it is drawn on every frame, mostly unchanged.
func (m *model) helpView(s ui.Screen) string {
	keys := frameKeys{screen: s, global: m.globalKeys()}
	if m.help.ShowAll {
		return m.help.View(keys)
	}
	short := keys.ShortHelp()
	sig := helpSignature(m.help.Width, short)
	if sig != m.shortHelp.sig {
		m.shortHelp.sig, m.shortHelp.line = sig, m.help.ShortHelpView(short)
	}
	return m.shortHelp.line
}

// keptHelp is the short help line last drawn and what it was drawn from.
type keptHelp struct{ sig, line string }

// helpSignature is everything bubbles/help draws a short line from: the
// width and each key's words, when enabled.
func helpSignature(width int, keys []key.Binding) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(width))
	for _, k := range keys {
		if k.Enabled() {
			h := k.Help()
			b.WriteByte(0)
			b.WriteString(h.Key)
			b.WriteByte(1)
			b.WriteString(h.Desc)
		}
	}
	return b.String()
}

// globalKeys are the keys every screen has.
func (m *model) globalKeys() []key.Binding {
	k := m.keys
	help := k.Help
	if ui.IsCapturing(m.front()) {
		help = ui.WithHelp(k.Help, "f1", "help") // "?" is typed into the field
	}
	// Help comes first and lock last: on a narrow line bubbles/help cuts
	// the end, and every screen must show how to get help.
	keys := []key.Binding{help}
	if len(m.stack) > 1 && m.working() {
		keys = append(keys, k.Back)
	}
	keys = append(keys, k.Quit)
	switch {
	case m.working():
		keys = append(keys, k.Lock, k.Logout)
		for _, r := range m.pageKeys() {
			if r.key.Help().Key != "" { // a page key without help (M, messages) is left off the crowded line
				keys = append(keys, r.key)
			}
		}
	case m.sess != nil:
		keys = append(keys, ui.WithHelp(k.Logout, "ctrl+x", "switch user"))
	}
	return keys
}

// frameKeys joins a screen's keys with the global ones for bubbles/help.
type frameKeys struct {
	screen help.KeyMap
	global []key.Binding
}

// ShortHelp is the screen's keys, then the global ones it does not
// already explain.
func (f frameKeys) ShortHelp() []key.Binding {
	own := f.screen.ShortHelp()
	return append(append([]key.Binding(nil), own...), f.others(own)...)
}

// FullHelp is the screen's columns, then a column of the global keys.
func (f frameKeys) FullHelp() [][]key.Binding {
	groups := f.screen.FullHelp()
	var own []key.Binding
	for _, g := range groups {
		own = append(own, g...)
	}
	return append(append([][]key.Binding(nil), groups...), f.others(own))
}

// others are the global keys not among own.
func (f frameKeys) others(own []key.Binding) []key.Binding {
	taken := map[string]bool{}
	for _, b := range own {
		taken[b.Help().Key] = true
	}
	var out []key.Binding
	for _, b := range f.global {
		if !taken[b.Help().Key] {
			out = append(out, b)
		}
	}
	return out
}
