package notifications

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Screen lists the user's in-app notifications; enter opens the page that
// deals with the selected one.
type Screen struct {
	ui.Base
	port           Port
	list           []core.Notification
	sel            int
	loading, ready bool
	err, note      string
}

// New lists the user's notifications.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p}
}

// Init loads the list.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the list.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	return loadCmd(s.port, s.ID())
}

// Title names the screen with the count.
func (s *Screen) Title() string {
	if n := len(s.list); n > 0 {
		return fmt.Sprintf("Notifications (%d)", n)
	}
	return "Notifications"
}

// Busy is set while loading.
func (s *Screen) Busy() bool { return s.loading }

// Update handles the keys and the answer of a load.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.list = msg.list
			s.sel = min(s.sel, max(0, len(s.list)-1))
		}
	case tea.KeyMsg:
		s.err, s.note = "", ""
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.list)-1), s.sel+1)
	case key.Matches(k, keys.Open) && s.sel < len(s.list):
		r, ok := target(s.list[s.sel])
		if !ok {
			s.note = "Follow patient notifications with: clinic notify status"
			return nil
		}
		return s.S.Go(r)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	}
	return nil
}

// target is the page that deals with a notification.
func target(n core.Notification) (ui.Route, bool) {
	r := ui.Route{Nav: ui.NavPush}
	switch n.Purpose {
	case core.PurposeMessage:
		r.Page = ui.PageInbox
	case core.PurposeRefill:
		r.Page = ui.PageRefills
	case core.PurposeConflict:
		r.Page = ui.PageConflicts
	case core.PurposeDocument:
		r.Page, r.PatientID = ui.PageChart, n.PatientID
	default:
		return r, false
	}
	return r, true
}

// View is the heading and the rows that fit.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading notifications…"
	}
	lines := []string{st.Bold.Render(fmt.Sprintf("Notifications (%d)", len(s.list)))}
	if len(s.list) == 0 {
		lines = append(lines, "", "  "+st.Subtle.Render("Nothing waiting for you."))
	}
	start, end := ui.Window(len(s.list), s.sel, max(1, s.Height-3))
	for i := start; i < end; i++ {
		lines = append(lines, s.row(i))
	}
	switch {
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.note != "":
		lines = append(lines, st.Subtle.Render(ui.Truncate(s.note, max(1, s.Width))))
	}
	return strings.Join(lines, "\n")
}

// kinds names each purpose in the list's second column.
var kinds = map[core.Purpose]string{
	core.PurposeMessage: "message", core.PurposeRefill: "refill", core.PurposeConflict: "conflict", core.PurposeDocument: "document",
}

// row is one notification: when, what kind, the line.
func (s *Screen) row(i int) string {
	n := s.list[i]
	mark := "  "
	if i == s.sel {
		mark = "> "
	}
	kind, ok := kinds[n.Purpose]
	if !ok {
		kind = "patient"
	}
	row := ui.Truncate(fmt.Sprintf("%s%s  %-8s %s", mark, n.CreatedAt.In(s.S.Zone()).Format("_2 Jan 15:04"), kind, ui.Text(n.Subject)), max(1, s.Width))
	if i == s.sel {
		return s.S.Styles.Selected.Render(row)
	}
	return row
}

// ShortHelp is the list's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{k.Open, k.Up, k.Down, k.Refresh}
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.Open, k.Up, k.Down, k.Refresh, k.Back}}
}
