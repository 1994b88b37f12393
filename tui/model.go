package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// pollEvery is how often the status bar asks for the sync status.
const pollEvery = 5 * time.Second

// refreshEvery is how often a shown schedule reloads, to pick up changes
// made at other desks and pulled by sync.
const refreshEvery = 30 * time.Second

// model is the root: it routes keys and results to the current screen and
// draws the frame around it. It holds no screen logic of its own.
type model struct {
	c       *workspace
	backend Backend
	opts    Options
	help    help.Model

	width, height int

	// login is the login form before login and the unlock form while
	// locked; stack holds the screens after login, the schedule first.
	login  *loginScreen
	locked bool
	stack  []screen

	lastKey, lastPoll, lastRefresh time.Time
}

// New returns the interface as a Bubble Tea model, starting at the login
// screen. Run it with tea.NewProgram(m, tea.WithAltScreen()).
func New(b Backend, opts Options) tea.Model {
	opts = opts.withDefaults()
	st := newStyles(opts.Renderer)
	c := &workspace{keys: DefaultKeyMap(), styles: st, now: opts.Now, tick: tea.Tick}
	h := help.New()
	h.Styles = st.Help
	h.ShortSeparator = " | "
	h.FullSeparator = "   "
	m := &model{c: c, backend: b, opts: opts, help: h, width: 80, height: 24}
	m.login = newLogin(c, b, opts.DemoHint)
	m.layout()
	return m
}

// Init waits for the login form.
func (m *model) Init() tea.Cmd { return nil }

// Update routes one message.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.route(msg)
	cmd = tea.Batch(cmd, m.navigate())
	if m.busy() {
		cmd = tea.Batch(cmd, m.c.startSpin())
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
		return m.key(msg)
	case spinMsg:
		m.c.spinning = false
		m.c.spin++
		return nil
	case tickMsg:
		return m.onTick()
	case syncStatusMsg:
		m.c.sync = msg.status
		return nil
	case loginMsg:
		return m.onLogin(msg)
	case addressed:
		for _, s := range m.stack {
			if s.ID() == msg.addressee() {
				return s.Update(msg)
			}
		}
	}
	return nil
}

// key handles the keys that work everywhere and gives the rest to the
// screen in front.
func (m *model) key(k tea.KeyMsg) tea.Cmd {
	keys := m.c.keys
	if key.Matches(k, keys.Quit) {
		return tea.Quit
	}
	m.lastKey = m.c.now()
	front := m.front()
	if m.c.sess != nil && !m.locked && key.Matches(k, keys.Lock) {
		m.lock()
		return nil
	}
	if key.Matches(k, keys.Help) && (k.String() == "f1" || !capturing(front)) {
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return nil
	}
	return front.Update(k)
}

// front is the screen the user sees: the login or lock form, or the top
// of the stack.
func (m *model) front() screen {
	if m.c.sess == nil || m.locked {
		return m.login
	}
	return m.stack[len(m.stack)-1]
}

func capturing(s screen) bool {
	c, ok := s.(capturer)
	return ok && c.Capturing()
}

func (m *model) busy() bool {
	b, ok := m.front().(busier)
	return ok && b.Busy()
}

// onLogin starts the session, or ends the lock.
func (m *model) onLogin(msg loginMsg) tea.Cmd {
	if msg.err != nil {
		return m.login.Update(msg)
	}
	m.c.sess, m.c.who, m.c.loc = msg.sess, msg.who, msg.zone
	m.lastKey, m.lastPoll = m.c.now(), m.c.now()
	if msg.unlock {
		m.locked = false
		m.login = nil
		m.layout()
		return pollStatusCmd(msg.sess)
	}
	m.login = nil
	sched := newSchedule(m.c)
	m.stack = []screen{sched}
	m.layout()
	return tea.Batch(sched.Init(), pollStatusCmd(msg.sess), m.nextTick())
}

// lock hides every screen behind the passphrase form. The screens and
// their state stay, undrawn, until the same user unlocks.
func (m *model) lock() {
	m.locked = true
	m.help.ShowAll = false
	m.login = newUnlock(m.c, m.backend, m.c.principal().User)
	m.layout()
}

// onTick locks an idle screen, polls the sync status and refreshes the
// schedule, then asks for the next tick.
func (m *model) onTick() tea.Cmd {
	if m.c.sess == nil {
		return nil
	}
	now := m.c.now()
	var cmds []tea.Cmd
	if !m.locked && now.Sub(m.lastKey) >= m.opts.IdleLock {
		m.lock()
	}
	if now.Sub(m.lastPoll) >= pollEvery {
		m.lastPoll = now
		cmds = append(cmds, pollStatusCmd(m.c.sess))
	}
	if r, ok := m.front().(refresher); ok && !m.locked && !m.busy() && now.Sub(m.lastRefresh) >= refreshEvery {
		m.lastRefresh = now
		cmds = append(cmds, r.Refresh())
	}
	return tea.Batch(append(cmds, m.nextTick())...)
}

func (m *model) nextTick() tea.Cmd {
	return m.c.tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

// navigate carries out what the screens asked for during this Update.
func (m *model) navigate() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.c.nav) > 0 {
		a := m.c.nav[0]
		m.c.nav = m.c.nav[1:]
		switch a.kind {
		case navPush:
			cmds = append(cmds, m.push(a.s))
		case navReplace:
			m.stack = m.stack[:max(1, len(m.stack)-1)]
			cmds = append(cmds, m.push(a.s))
		case navBack:
			cmds = append(cmds, m.pop())
		case navDone:
			m.stack = m.stack[:1]
			m.layout()
			cmds = append(cmds, m.stack[0].(*scheduleScreen).show(a.done))
		}
	}
	return tea.Batch(cmds...)
}

// push shows s on top and starts it.
func (m *model) push(s screen) tea.Cmd {
	m.stack = append(m.stack, s)
	m.layout()
	return s.Init()
}

// pop goes back one screen; the schedule at the bottom stays.
func (m *model) pop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.layout()
	if r, ok := m.front().(refresher); ok {
		m.lastRefresh = m.c.now()
		return r.Refresh()
	}
	return nil
}
