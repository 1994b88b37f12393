package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/tui/screens/login"
	"medisecure/tui/ui"
)

// loginPort lets the login screen use the Backend without knowing the
// whole Session.
type loginPort struct{ b Backend }

// Login opens a session; a nil interface on error, never a typed nil.
func (p loginPort) Login(user, pass string) (login.Session, error) {
	s, err := p.b.Login(user, pass)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// RedeemReset sets a reset user's new passphrase.
func (p loginPort) RedeemReset(user, code, pass string) error {
	return p.b.RedeemReset(user, code, pass)
}

func pollStatusCmd(s Session) tea.Cmd {
	return func() tea.Msg { return syncStatusMsg{status: s.SyncStatus()} }
}

// onLogin starts the session and shows the role's home screen, or ends
// the lock.
func (m *model) onLogin(msg login.DoneMsg) tea.Cmd {
	if msg.Err != nil {
		return m.deliver(msg)
	}
	sess, ok := msg.Session.(Session)
	if !ok {
		return m.deliver(login.DoneMsg{Envelope: msg.Envelope, Err: fmt.Errorf("tui: the session cannot run the screens")})
	}
	m.sess, m.c.Who, m.c.Loc = sess, msg.Who, msg.Zone
	m.lastKey, m.lastPoll = m.c.Now(), m.c.Now()
	m.login = nil
	if msg.Unlock {
		m.layout()
		return pollStatusCmd(sess)
	}
	return tea.Batch(m.open(home(msg.Who)), pollStatusCmd(sess), m.nextTick())
}

// lock hides every screen behind the passphrase form. The screens and
// their state stay, undrawn, until the same user unlocks; switching user
// from there forgets them.
func (m *model) lock() {
	m.help.ShowAll = false
	m.confirm = ui.Confirm{} // a question left open must not take the passphrase's keys
	m.login = login.NewUnlock(m.c, loginPort{m.backend}, m.c.Who.User)
	m.layout()
}

// onTick locks an idle screen, polls the sync status and refreshes the
// screen in front, then asks for the next tick.
func (m *model) onTick() tea.Cmd {
	if m.sess == nil {
		return nil
	}
	now := m.c.Now()
	var cmds []tea.Cmd
	if m.working() && now.Sub(m.lastKey) >= m.opts.IdleLock {
		m.lock()
	}
	if now.Sub(m.lastPoll) >= pollEvery {
		m.lastPoll = now
		cmds = append(cmds, pollStatusCmd(m.sess))
	}
	if r, ok := m.front().(ui.Refresher); ok && m.working() && !m.busy() && now.Sub(m.lastRefresh) >= refreshEvery {
		m.lastRefresh = now
		cmds = append(cmds, r.Refresh())
	}
	return tea.Batch(append(cmds, m.nextTick())...)
}

func (m *model) nextTick() tea.Cmd {
	return m.tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

// navigate carries out the routes the screens asked for during this
// Update.
func (m *model) navigate() tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range m.c.TakeRoutes() {
		if m.sess == nil {
			break // logged out meanwhile
		}
		switch r.Nav {
		case ui.NavPush:
			cmds = append(cmds, m.open(r))
		case ui.NavReplace:
			m.stack = m.stack[:max(1, len(m.stack)-1)]
			cmds = append(cmds, m.open(r))
		case ui.NavBack:
			cmds = append(cmds, m.pop(r))
		case ui.NavHome:
			m.stack = m.stack[:1]
			m.layout()
			if res, ok := m.stack[0].(ui.Resumer); ok {
				cmds = append(cmds, res.Resume(r))
			}
		}
	}
	return tea.Batch(cmds...)
}

// open makes the route's screen, shows it on top and starts it.
func (m *model) open(r ui.Route) tea.Cmd {
	line, ok := find(r.Page)
	if !ok {
		return nil
	}
	s := line.make(m.c, m.sess, r)
	m.stack = append(m.stack, s)
	m.layout()
	return s.Init()
}

// pop goes back one screen; the home screen at the bottom stays. The
// screen shown again takes the route's note, or reloads.
func (m *model) pop(r ui.Route) tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.layout()
	if res, ok := m.front().(ui.Resumer); ok && r.Flash != "" {
		return res.Resume(r)
	}
	if res, ok := m.front().(ui.Refresher); ok {
		m.lastRefresh = m.c.Now()
		return res.Refresh()
	}
	return nil
}
