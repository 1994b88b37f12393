package login

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// DoneMsg is the result of a login or an unlock. The root handles it
// first: on success it starts or resumes the session, on failure it hands
// the message back to the screen.
type DoneMsg struct {
	ui.Envelope
	Session Session
	Who     core.Principal
	Zone    *time.Location
	Err     error
	// Unlock is set when the lock screen asked.
	Unlock bool
}

// Screen asks for a user and passphrase; in lock mode it asks the locked
// user's passphrase again, and offers to switch user.
type Screen struct {
	ui.Base
	port      Port
	user      ui.Field
	pass      ui.Field
	focus     int
	fixedUser string
	hint      string
	busy      bool
	err       string
	// reset is the reset form (reset.go), open after a login found the
	// user reset by an admin.
	reset resetForm
}

// New is the login form; hint is shown under it when not empty.
func New(c *ui.Shared, p Port, hint string) *Screen {
	l := &Screen{Base: ui.NewBase(c), port: p, hint: hint}
	l.user = ui.NewField(24, "user name")
	l.pass = ui.NewField(24, "passphrase")
	l.pass.Mask = true
	return l
}

// NewUnlock is the lock screen for user.
func NewUnlock(c *ui.Shared, p Port, user string) *Screen {
	l := New(c, p, "")
	l.fixedUser = user
	l.user.SetValue(user)
	l.focus = 1
	return l
}

// Init does nothing: the form waits for typing.
func (l *Screen) Init() tea.Cmd { return nil }

// Title names the screen.
func (l *Screen) Title() string {
	if l.fixedUser != "" {
		return "Locked"
	}
	return "Log in"
}

// Locked reports whether this is the lock screen.
func (l *Screen) Locked() bool { return l.fixedUser != "" }

// Capturing is always true: every key is typing.
func (l *Screen) Capturing() bool { return true }

// Busy is set while the passphrase is checked.
func (l *Screen) Busy() bool { return l.busy }

// Update types into the form and submits it.
func (l *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case DoneMsg:
		l.busy = false
		l.err = l.S.Describe(msg.Err)
		if resetPending(msg.Err) && !l.Locked() && l.reset.user == "" {
			l.openReset(strings.TrimSpace(l.user.Value()))
			l.err = ""
		}
		return nil
	case tea.KeyMsg:
		return l.key(msg)
	}
	return nil
}

func (l *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := l.S.Keys
	if l.busy {
		return nil
	}
	if l.reset.user != "" {
		return l.resetKey(k)
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
func (l *Screen) submit() tea.Cmd {
	user := strings.TrimSpace(l.user.Value())
	if user == "" {
		l.focus = 0
		l.err = "Type your user name."
		return nil
	}
	pass := l.pass.Value()
	l.pass.SetValue("")
	l.busy, l.err = true, ""
	return loginCmd(l.port, l.ID(), user, pass, l.fixedUser != "")
}

func loginCmd(p Port, to int, user, pass string, unlock bool) tea.Cmd {
	return func() tea.Msg {
		msg := DoneMsg{Envelope: ui.Envelope{To: to}, Unlock: unlock}
		s, err := p.Login(user, pass)
		if err != nil {
			msg.Err = err
			return msg
		}
		msg.Session, msg.Who, msg.Zone = s, s.Principal(), s.Zone()
		return msg
	}
}

// View draws the form.
func (l *Screen) View() string {
	st := l.S.Styles
	var b strings.Builder
	b.WriteString("\n")
	if l.fixedUser != "" {
		b.WriteString("  " + st.Title.Render("Screen locked") + "\n\n")
		b.WriteString("  " + ui.Text(l.fixedUser) + ", type your passphrase to unlock.\n")
		b.WriteString("  Your work is kept; nothing is shown until you unlock.\n\n")
	} else {
		b.WriteString("  " + st.Title.Render("MediSecure Workstation") + "\n\n")
	}
	switch {
	case l.reset.user != "":
		l.resetView(st, &b)
	case l.fixedUser != "":
		b.WriteString("  " + ui.FormRow(st, "Passphrase", l.pass.View(st, l.focus == 1), l.focus == 1) + "\n\n")
	default:
		b.WriteString("  " + ui.FormRow(st, "User", l.user.View(st, l.focus == 0), l.focus == 0) + "\n")
		b.WriteString("  " + ui.FormRow(st, "Passphrase", l.pass.View(st, l.focus == 1), l.focus == 1) + "\n\n")
	}
	switch {
	case l.busy:
		b.WriteString("  " + l.S.Spinner() + " Checking passphrase…\n")
	case l.err != "":
		b.WriteString("  " + st.Error.Render(l.err) + "\n")
	default:
		b.WriteString("\n")
	}
	if l.hint != "" {
		b.WriteString("\n" + st.Subtle.Render(ui.Indent(ansi.Wordwrap(l.hint, max(20, l.Width-4), ""), "  ")) + "\n")
	}
	return b.String()
}

// ShortHelp lists the keys of the form.
func (l *Screen) ShortHelp() []key.Binding {
	k := l.S.Keys
	if l.fixedUser != "" {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "unlock")}
	}
	if l.reset.user != "" {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "next / set passphrase"), ui.WithHelp(k.NextField, "tab", "next field")}
	}
	return []key.Binding{ui.WithHelp(k.Submit, "enter", "log in"), ui.WithHelp(k.NextField, "tab", "next field")}
}

// FullHelp lists the same keys.
func (l *Screen) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }
