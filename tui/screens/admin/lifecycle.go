package admin

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The user lifecycle keys: d disable, e enable, r role (then 1-5), p
// reset the passphrase. Disabling and resetting ask first; each result
// comes back as a doneMsg and the list reloads.

// keys of the lifecycle actions.
var (
	keyDisable = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "disable"))
	keyEnable  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "enable"))
	keyRole    = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "role"))
	keyReset   = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "reset passphrase"))
	// keyManage is the short help's one hint of the four.
	keyManage = key.NewBinding(key.WithKeys("d", "e", "r", "p"), key.WithHelp("d/e/r/p", "manage"))
)

// doneMsg is the outcome of a lifecycle action: what to tell the admin.
type doneMsg struct {
	ui.Envelope
	say string
	err error
	// code is a reset code to show until the admin moves on.
	code string
}

// act runs a lifecycle action as a Cmd whose result comes back to s.
func (s *Screen) act(fn func() (doneMsg, error)) tea.Cmd {
	to := s.ID()
	return func() tea.Msg {
		m, err := fn()
		m.Envelope, m.err = ui.Envelope{To: to}, err
		return m
	}
}

// lifecycleKey handles the lifecycle keys on the selected user; it
// reports whether k was one of them.
func (s *Screen) lifecycleKey(k tea.KeyMsg) (tea.Cmd, bool) {
	if s.sel >= len(s.users) {
		return nil, false
	}
	u := s.users[s.sel]
	p := s.port
	switch {
	case key.Matches(k, keyDisable):
		s.confirm.Ask(fmt.Sprintf("Disable %s on every workstation and start a new key epoch?", u.Name), func() tea.Cmd {
			return s.act(func() (doneMsg, error) {
				epoch, err := p.DisableUser(u.Name)
				return doneMsg{say: fmt.Sprintf("Disabled %s; key epoch %d started.", u.Name, epoch)}, err
			})
		})
	case key.Matches(k, keyEnable):
		return s.act(func() (doneMsg, error) {
			return doneMsg{say: "Enabled " + u.Name + "."}, p.EnableUser(u.Name)
		}), true
	case key.Matches(k, keyRole):
		s.picking = u.Name
	case key.Matches(k, keyReset):
		s.confirm.Ask(fmt.Sprintf("Reset %s's passphrase? Their old one stops working.", u.Name), func() tea.Cmd {
			return s.act(func() (doneMsg, error) {
				code, err := p.ResetUser(u.Name)
				return doneMsg{say: "Reset code for " + u.Name + ":", code: code}, err
			})
		})
	default:
		return nil, false
	}
	return nil, true
}

// pickRole answers the role question with a digit; any other key cancels.
func (s *Screen) pickRole(k tea.KeyMsg) tea.Cmd {
	name := s.picking
	s.picking = ""
	for i, r := range core.Roles {
		if k.String() == fmt.Sprint(i+1) {
			p := s.port
			return s.act(func() (doneMsg, error) {
				return doneMsg{say: fmt.Sprintf("%s is now %s.", name, r)}, p.SetRole(name, r)
			})
		}
	}
	return nil
}

// roleQuestion is the line that asks for the new role.
func (s *Screen) roleQuestion() string {
	q := "Role for " + s.picking + ":"
	for i, r := range core.Roles {
		q += fmt.Sprintf(" %d %s", i+1, r)
	}
	return q + ", any other key cancels"
}
