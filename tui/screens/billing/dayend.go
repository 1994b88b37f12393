package billing

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// DayEnd is the cash-up: the day's takings by desk, user and method, and
// the totals by method; [ and ] move a day.
type DayEnd struct {
	ui.Base
	port    Port
	day     core.Date
	seq     int
	cashUp  core.CashUp
	loading bool
	ready   bool
	err     string
}

// NewDayEnd opens the cash-up of r.Day, or today.
func NewDayEnd(c *ui.Shared, p Port, r ui.Route) *DayEnd {
	d := r.Day
	if d == "" {
		d = c.Today()
	}
	return &DayEnd{Base: ui.NewBase(c), port: p, day: d}
}

// Init loads the day.
func (s *DayEnd) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the day.
func (s *DayEnd) Refresh() tea.Cmd {
	s.loading = true
	s.seq++
	return dayEndCmd(s.port, s.ID(), s.seq, s.day)
}

// Title names the screen.
func (s *DayEnd) Title() string { return "Day end" }

// Busy is set while loading.
func (s *DayEnd) Busy() bool { return s.loading }

// Update handles the keys and the day's load; a load for a day left
// behind is dropped.
func (s *DayEnd) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dayEndMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.cashUp = msg.cashUp
		}
	case tea.KeyMsg:
		keys := s.S.Keys
		switch {
		case key.Matches(msg, keys.Back):
			return s.S.Back()
		case key.Matches(msg, keys.PrevDay):
			s.day = s.day.AddDays(-1)
			return s.Refresh()
		case key.Matches(msg, keys.NextDay):
			s.day = s.day.AddDays(1)
			return s.Refresh()
		case key.Matches(msg, keys.Today):
			s.day = s.S.Today()
			return s.Refresh()
		case key.Matches(msg, keys.Refresh):
			return s.Refresh()
		}
	}
	return nil
}

// View is the report.
func (s *DayEnd) View() string {
	st := s.S.Styles
	lines := []string{st.Bold.Render("Day end " + ui.DayName(s.day))}
	if !s.ready {
		return strings.Join(append(lines, "", "  "+s.S.Spinner()+" Adding up…"), "\n")
	}
	if s.err != "" {
		return strings.Join(append(lines, st.Error.Render(s.err)), "\n")
	}
	c := s.cashUp
	lines = append(lines, "")
	if len(c.Lines) == 0 {
		lines = append(lines, "  "+st.Subtle.Render("No payments taken this day."))
	} else {
		lines = append(lines, st.Label.Render(fmt.Sprintf("  %-18s %-12s %-10s %5s %13s %13s", "DESK", "USER", "METHOD", "COUNT", "REFUNDS", "NET")))
	}
	for _, l := range c.Lines {
		lines = append(lines, fmt.Sprintf("  %-18s %-12s %-10s %5d %13s %13s", ui.Truncate(ui.Text(l.Desk), 18), ui.Truncate(ui.Text(l.User), 12), l.Method, l.Count, l.Refunds, l.Total))
	}
	lines = append(lines, "", st.Bold.Render("By method"))
	for _, m := range methods {
		if v, ok := c.ByMethod[m]; ok {
			lines = append(lines, fmt.Sprintf("  %-10s %13s", m, v))
		}
	}
	lines = append(lines, fmt.Sprintf("  %-10s %13s", "total", c.Total))
	return strings.Join(lines, "\n")
}

// ShortHelp is the report's keys.
func (s *DayEnd) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{k.PrevDay, k.NextDay, k.Today, k.Back}
}

// FullHelp lists every key of the report.
func (s *DayEnd) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
