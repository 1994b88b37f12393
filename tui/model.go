package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/tui/screens/login"
	"medisecure/tui/ui"
)

// pollEvery is how often the status bar asks for the sync status.
const pollEvery = 5 * time.Second

// refreshEvery is how often a shown schedule reloads, to pick up changes
// made at other desks and pulled by sync.
const refreshEvery = 30 * time.Second

// model is the root: it routes keys and results to the screen in front,
// makes the screens the route table names, and draws the frame around
// them. It holds no screen logic of its own.
type model struct {
	backend Backend
	opts    Options
	keys    ui.KeyMap
	styles  ui.Styles
	tick    func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
	help    help.Model
	// shortHelp keeps the help line between frames (helpView).
	shortHelp keptHelp

	width, height int

	// c is what the screens of one login share; a new login gets a new one.
	c    *ui.Shared
	sess Session
	sync SyncStatus
	// login is the login form before login and the lock screen while
	// locked; stack holds the screens after login, the home screen first.
	login   *login.Screen
	stack   []ui.Screen
	confirm ui.Confirm

	lastKey, lastPoll, lastRefresh time.Time
}

// tickMsg is the once-a-second tick that drives the idle lock, the sync
// status and the schedule's refresh.
type tickMsg struct{}

// syncStatusMsg carries the session's sync status for the status bar.
type syncStatusMsg struct{ status SyncStatus }

// New returns the interface as a Bubble Tea model, starting at the login
// screen. Run it with tea.NewProgram(m, tea.WithAltScreen()).
func New(b Backend, opts Options) tea.Model {
	opts = opts.withDefaults()
	st := ui.NewStyles(opts.Renderer)
	h := help.New()
	h.Styles = st.Help
	h.ShortSeparator = " | "
	h.FullSeparator = "   "
	m := &model{backend: b, opts: opts, keys: ui.DefaultKeyMap(), styles: st, tick: tea.Tick, help: h, width: 80, height: 24}
	m.loggedOut()
	return m
}

// loggedOut forgets the session and every screen, and shows the login
// form: nothing of the last user's work stays.
func (m *model) loggedOut() {
	m.c = ui.NewShared(m.keys, m.styles, m.opts.Now)
	m.c.Tick = m.tick
	m.sess, m.sync, m.stack = nil, SyncStatus{}, nil
	m.help.ShowAll = false
	m.login = login.New(m.c, loginPort{m.backend}, m.opts.DemoHint)
	m.layout()
}

// Init waits for the login form.
func (m *model) Init() tea.Cmd { return nil }

// Update routes one message, then carries out the routes the screens
// asked for, so the next key already reaches the screen they opened.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := tea.Batch(m.route(msg), m.navigate())
	if m.c.TakeWrote() && m.sess != nil {
		cmd = tea.Batch(cmd, pollStatusCmd(m.sess))
	}
	if m.busy() {
		cmd = tea.Batch(cmd, m.c.StartSpin())
	}
	return m, cmd
}

func (m *model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return nil
	case tea.KeyMsg:
		return m.keySequence(msg)
	case ui.SpinMsg:
		m.c.Spun()
		return nil
	case tickMsg:
		return m.onTick()
	case syncStatusMsg:
		m.sync = msg.status
		return nil
	case login.DoneMsg:
		return m.onLogin(msg)
	case ui.Addressed:
		return m.deliver(msg)
	}
	return nil
}

// deliver gives a result to the screen that asked for it; a result for a
// screen no longer shown is dropped.
func (m *model) deliver(msg ui.Addressed) tea.Cmd {
	if m.login != nil && m.login.ID() == msg.Addressee() {
		return m.login.Update(msg)
	}
	for _, s := range m.stack {
		if s.ID() == msg.Addressee() {
			return s.Update(msg)
		}
	}
	return nil
}

// keySequence splits several letters that came in one read (a paste,
// tmux send-keys, fast typing over SSH) into the keys they are, outside
// text fields, carrying out navigation after each so "/zoe" searches.
// Inside a text field the rest is typed as it came.
func (m *model) keySequence(k tea.KeyMsg) tea.Cmd {
	if k.Type != tea.KeyRunes || len(k.Runes) < 2 {
		return m.key(k)
	}
	var cmds []tea.Cmd
	for i := range k.Runes {
		if ui.IsCapturing(m.front()) && !m.confirm.Open() {
			rest := k
			rest.Runes = k.Runes[i:]
			return tea.Batch(append(cmds, m.key(rest))...)
		}
		one := tea.KeyMsg{Type: tea.KeyRunes, Runes: k.Runes[i : i+1], Alt: k.Alt}
		if k.Runes[i] == ' ' {
			one.Type = tea.KeySpace
		}
		cmds = append(cmds, m.key(one), m.navigate())
	}
	return tea.Batch(cmds...)
}

// key handles the keys that work everywhere and gives the rest to the
// screen in front.
func (m *model) key(k tea.KeyMsg) tea.Cmd {
	keys := m.keys
	if m.confirm.Open() {
		return m.confirm.Key(k)
	}
	if key.Matches(k, keys.Quit) {
		return m.quit()
	}
	m.lastKey = m.c.Now()
	front := m.front()
	switch {
	case m.sess != nil && key.Matches(k, keys.Logout):
		return m.logout()
	case m.working() && key.Matches(k, keys.Lock):
		m.lock()
		return nil
	case key.Matches(k, keys.Help) && (k.String() == "f1" || !ui.IsCapturing(front)):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return nil
	case m.working() && !ui.IsCapturing(front):
		for _, r := range m.pageKeys() {
			if key.Matches(k, r.key) {
				return m.open(ui.Route{Nav: ui.NavPush, Page: r.page})
			}
		}
	}
	return front.Update(k)
}

// dirty reports whether any screen holds input not yet saved.
func (m *model) dirty() bool {
	for _, s := range m.stack {
		if d, ok := s.(ui.Dirtier); ok && d.Dirty() {
			return true
		}
	}
	return false
}

// quit ends the program, asking first when a form holds unsaved input.
func (m *model) quit() tea.Cmd {
	if m.dirty() {
		m.confirm.Ask("Quit and lose what is typed but not saved?", func() tea.Cmd { return tea.Quit })
		return nil
	}
	return tea.Quit
}

// logout ends the session (from a screen, or from the lock screen to let
// the next person log in), asking first when a form holds unsaved input.
func (m *model) logout() tea.Cmd {
	if m.dirty() {
		m.confirm.Ask("Log out and lose what is typed but not saved?", func() tea.Cmd { m.loggedOut(); return nil })
		return nil
	}
	m.loggedOut()
	return nil
}

// working is set while a user is logged in and the screen is not locked.
func (m *model) working() bool { return m.sess != nil && m.login == nil }

// front is the screen the user sees: the login or lock form, or the top
// of the stack.
func (m *model) front() ui.Screen {
	if m.login != nil {
		return m.login
	}
	return m.stack[len(m.stack)-1]
}

func (m *model) busy() bool {
	b, ok := m.front().(ui.Busier)
	return ok && b.Busy()
}
