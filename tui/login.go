package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// loginScreen asks for a user and passphrase; with a fixed user it is the
// lock screen, asking the same user's passphrase again.
type loginScreen struct {
	base
	backend   Backend
	user      field
	pass      field
	focus     int
	fixedUser string
	hint      string
	busy      bool
	err       string
}

// newLogin is the login form; hint is shown under it when not empty.
func newLogin(c *workspace, b Backend, hint string) *loginScreen {
	l := &loginScreen{base: newBase(c), backend: b, hint: hint}
	l.user = newField(24, "user name")
	l.pass = newField(24, "passphrase")
	l.pass.mask = true
	return l
}

// newUnlock is the lock screen for user.
func newUnlock(c *workspace, b Backend, user string) *loginScreen {
	l := newLogin(c, b, "")
	l.fixedUser = user
	l.user.SetValue(user)
	l.focus = 1
	return l
}

// Init does nothing: the form waits for typing.
func (l *loginScreen) Init() tea.Cmd { return nil }

// Title names the screen.
func (l *loginScreen) Title() string {
	if l.fixedUser != "" {
		return "Locked"
	}
	return "Log in"
}

// Capturing is always true: every key is typing.
func (l *loginScreen) Capturing() bool { return true }

// Busy is set while the passphrase is checked.
func (l *loginScreen) Busy() bool { return l.busy }

// Update types into the form and submits it.
func (l *loginScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loginMsg:
		l.busy = false
		l.err = describe(msg.err)
		return nil
	case tea.KeyMsg:
		return l.key(msg)
	}
	return nil
}

func (l *loginScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := l.c.keys
	if l.busy {
		return nil
	}
	switch {
	case key.Matches(k, keys.NextField), key.Matches(k, keys.PrevField):
		if l.fixedUser == "" {
			l.focus = 1 - l.focus
		}
		return nil
	case k.Type == tea.KeyEnter:
		if l.focus == 0 {
			l.focus = 1
			return nil
		}
		return l.submit()
	}
	f := &l.user
	if l.focus == 1 {
		f = &l.pass
	}
	if f.Update(k) {
		l.err = ""
	}
	return nil
}

// submit checks the passphrase in a Cmd and forgets it here.
func (l *loginScreen) submit() tea.Cmd {
	user := strings.TrimSpace(l.user.Value())
	if user == "" {
		l.focus = 0
		l.err = "Type your user name."
		return nil
	}
	pass := l.pass.Value()
	l.pass.SetValue("")
	l.busy, l.err = true, ""
	return loginCmd(l.backend, user, pass, l.fixedUser != "")
}

// View draws the form.
func (l *loginScreen) View() string {
	st := l.c.styles
	var b strings.Builder
	b.WriteString("\n")
	if l.fixedUser != "" {
		b.WriteString("  " + st.Title.Render("Screen locked") + "\n\n")
		b.WriteString("  " + l.fixedUser + ", type your passphrase to unlock.\n")
		b.WriteString("  Your work is kept; nothing is shown until you unlock.\n\n")
	} else {
		b.WriteString("  " + st.Title.Render("MediSecure Workstation") + "\n\n")
		b.WriteString("  " + formRow(st, "User", l.user.View(st, l.focus == 0), l.focus == 0) + "\n")
	}
	b.WriteString("  " + formRow(st, "Passphrase", l.pass.View(st, l.focus == 1), l.focus == 1) + "\n\n")
	switch {
	case l.busy:
		b.WriteString("  " + l.c.spinner() + " Checking passphrase…\n")
	case l.err != "":
		b.WriteString("  " + st.Error.Render(l.err) + "\n")
	default:
		b.WriteString("\n")
	}
	if l.hint != "" {
		b.WriteString("\n" + st.Subtle.Render(indent(ansi.Wordwrap(l.hint, max(20, l.width-4), ""), "  ")) + "\n")
	}
	return b.String()
}

// ShortHelp lists the keys of the form.
func (l *loginScreen) ShortHelp() []key.Binding {
	k := l.c.keys
	if l.fixedUser != "" {
		return []key.Binding{withHelp(k.Submit, "enter", "unlock")}
	}
	return []key.Binding{withHelp(k.Submit, "enter", "log in"), withHelp(k.NextField, "tab", "next field")}
}

// FullHelp lists the same keys.
func (l *loginScreen) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }

// labelWidth is the width of a form's labels.
const labelWidth = 14

// formRow draws a labelled form line with a "> " marker on the focused row.
func formRow(st Styles, label, input string, focused bool) string {
	mark := "  "
	lbl := st.Label.Render(padRight(label, labelWidth))
	if focused {
		mark = "> "
		lbl = st.Focused.Render(padRight(label, labelWidth))
	}
	return mark + lbl + "[" + input + "]"
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// withHelp is b with other help text, for a screen where the key reads
// differently ("enter" saves in a form, opens in a list).
func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
