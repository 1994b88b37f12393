package admin

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// usersMsg carries the directory.
type usersMsg struct {
	ui.Envelope
	users []core.User
	err   error
}

func usersCmd(s Port, to int) tea.Cmd {
	return func() tea.Msg {
		us, err := s.Users()
		return usersMsg{Envelope: ui.Envelope{To: to}, users: us, err: err}
	}
}

// Screen lists the users with their roles and states; enter on a doctor
// opens their working hours, and an admin disables, enables, changes the
// role of or resets the selected user (lifecycle.go).
type Screen struct {
	ui.Base
	port    Port
	users   []core.User
	sel     int
	loading bool
	err     string
	// info is what the last action did; code a reset code to show.
	info, code string
	confirm    ui.Confirm
	// picking is the user whose new role is asked for, "" when none.
	picking string
}

// New lists the users.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p}
}

// Init loads the users.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the users.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	return usersCmd(s.port, s.ID())
}

// Title names the screen.
func (s *Screen) Title() string { return "Users" }

// Busy is set while the users load.
func (s *Screen) Busy() bool { return s.loading }

// Update moves through the users, opens a doctor's hours and runs the
// lifecycle actions.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	keys := s.S.Keys
	switch msg := msg.(type) {
	case usersMsg:
		s.loading = false
		s.users, s.err = msg.users, s.S.Describe(msg.err)
		s.sel = min(s.sel, max(0, len(s.users)-1))
	case doneMsg:
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.info, s.code = msg.say, msg.code
		s.S.Wrote()
		return s.Refresh()
	case tea.KeyMsg:
		s.err, s.info, s.code = "", "", ""
		if s.confirm.Open() {
			return s.confirm.Key(msg)
		}
		if s.picking != "" {
			return s.pickRole(msg)
		}
		if s.manages() {
			if cmd, ok := s.lifecycleKey(msg); ok {
				return cmd
			}
		}
		switch {
		case key.Matches(msg, keys.Back):
			return s.S.Back()
		case key.Matches(msg, keys.Up):
			s.sel = max(0, s.sel-1)
		case key.Matches(msg, keys.Down):
			s.sel = min(max(0, len(s.users)-1), s.sel+1)
		case key.Matches(msg, keys.Open):
			return s.open()
		}
	}
	return nil
}

// open shows the selected doctor's working hours.
func (s *Screen) open() tea.Cmd {
	if s.sel >= len(s.users) {
		return nil
	}
	u := s.users[s.sel]
	if u.Role != core.RoleDoctor {
		s.err = "Only doctors have working hours."
		return nil
	}
	return s.S.Push(ui.PageSchedules, ui.Route{Doctor: u.Name})
}

// View lists the users.
func (s *Screen) View() string {
	st := s.S.Styles
	lines := []string{"", "  " + st.Bold.Render(fmt.Sprintf("Users (%d)", len(s.users))), ""}
	start, end := ui.Window(len(s.users), s.sel, max(1, s.Height-6))
	for i := start; i < end; i++ {
		u := s.users[i]
		mark := "  "
		if i == s.sel {
			mark = "> "
		}
		state := ""
		if u.Disabled {
			state = "disabled"
		}
		row := mark + ui.PadRight(ui.Text(u.Name), 16) + "  " + ui.PadRight(string(u.Role), 10) + "  " + ui.PadRight(state, 8) + "  " + ui.Truncate(ui.Text(u.DisplayName), ui.MaxName)
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	switch {
	case s.confirm.Open():
		lines = append(lines, "", "  "+s.confirm.View(st, max(0, s.Width-2)))
	case s.picking != "":
		lines = append(lines, "", "  "+st.Warning.Render(s.roleQuestion()))
	case s.err != "":
		lines = append(lines, "", "  "+st.Error.Render(s.err))
	case s.code != "":
		lines = append(lines, "", "  "+st.OK.Render(s.info+" "+s.code), "  Give it to them in person; they set a new passphrase with it once.")
	case s.info != "":
		lines = append(lines, "", "  "+st.OK.Render(s.info))
	}
	return strings.Join(lines, "\n")
}

// manages reports whether the user may run the lifecycle actions.
func (s *Screen) manages() bool { return s.S.Can(core.ActUpdate, core.KindUser) }

// ShortHelp is the list's keys, with one hint of the lifecycle keys for
// admins.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	b := []key.Binding{k.Up, k.Down, ui.WithHelp(k.Open, "enter", "hours")}
	if s.manages() {
		b = append(b, keyManage)
	}
	return b
}

// FullHelp is the list's keys, then each lifecycle key for admins.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	cols := [][]key.Binding{{k.Up, k.Down, ui.WithHelp(k.Open, "enter", "working hours")}}
	if s.manages() {
		cols = append(cols, []key.Binding{keyDisable, keyEnable, keyRole, keyReset})
	}
	return cols
}
