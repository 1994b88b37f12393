package conflicts

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
	"medisecure/tui/ui"
)

// resolving remembers what was asked, to say what was done.
type resolving struct {
	kept, other string
	move        bool
	// refill is the note for a refill conflict settled.
	refill string
}

// Screen lists open conflicts and shows the selected one's two
// appointments side by side. One key resolves it: 1 keeps the left and
// cancels the right, 2 the reverse, m keeps the marked side and moves the
// other to its next free slot.
type Screen struct {
	ui.Base
	port           Port
	rows           []conflictRow
	sel            int
	keep           int // the side m keeps: 0 left, 1 right
	loading, ready bool
	doing          *resolving
	// settle is set while the reason for settling a refill approved
	// twice is typed.
	settle     *settling
	err, flash string
}

// New lists the open conflicts.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p}
}

// Init loads the open conflicts.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the open conflicts.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	return loadConflictsCmd(s.port, s.ID())
}

// Title names the screen.
func (s *Screen) Title() string { return "Conflicts" }

// Busy is set while loading or resolving.
func (s *Screen) Busy() bool { return s.loading || s.doing != nil }

// Update handles the keys and the answers of loads and resolutions.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case conflictsMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.rows = msg.rows
			s.sel = min(s.sel, max(0, len(s.rows)-1))
		}
	case resolvedMsg:
		d := s.doing
		s.doing = nil
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.settle = nil
		s.flash = fmt.Sprintf("Kept %s; cancelled %s.", d.kept, d.other)
		switch {
		case d.refill != "":
			s.flash = d.refill
		case d.move:
			s.flash = fmt.Sprintf("Kept %s; moved %s to %s.", d.kept, d.other, s.S.When(msg.movedTo))
		}
		s.S.Wrote()
		return s.Refresh()
	case tea.KeyMsg:
		if s.doing != nil {
			return nil
		}
		s.err, s.flash = "", ""
		if s.settle != nil {
			return s.settleKey(msg)
		}
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
		s.sel = min(max(0, len(s.rows)-1), s.sel+1)
	case key.Matches(k, keys.Left):
		s.keep = 0
	case key.Matches(k, keys.Right):
		s.keep = 1
	case key.Matches(k, keys.KeepLeft):
		return s.resolve(0, false)
	case key.Matches(k, keys.KeepRight):
		return s.resolve(1, false)
	case key.Matches(k, keys.MoveOther):
		return s.resolve(s.keep, true)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	}
	return nil
}

// Capturing is set while a refill conflict's reason is typed.
func (s *Screen) Capturing() bool { return s.settle != nil }

// resolve keeps side keep of the selected conflict; for a refill
// conflict it asks the reason for choice keep first.
func (s *Screen) resolve(keep int, move bool) tea.Cmd {
	if s.sel >= len(s.rows) {
		return nil
	}
	r := s.rows[s.sel]
	if r.conflict.On == core.ConflictOnRefill {
		if move {
			return nil
		}
		return s.startSettle(r, keep)
	}
	if r.err != nil {
		s.err = s.S.Describe(r.err)
		return nil
	}
	k, o := r.appts[keep], r.appts[1-keep]
	s.doing = &resolving{
		kept:  fmt.Sprintf("%s at %s", r.names[keep], s.S.Clock(k.Start)),
		other: fmt.Sprintf("%s's %s", r.names[1-keep], s.S.Clock(o.Start)),
		move:  move,
	}
	return resolveCmd(s.port, s.ID(), r.conflict, k, o, move)
}

// View lists the conflicts over the two sides of the selected one.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading conflicts…"
	}
	lines := []string{st.Bold.Render(fmt.Sprintf("Open conflicts (%d)", len(s.rows)))}
	if len(s.rows) == 0 {
		lines = append(lines, "", "  "+st.Subtle.Render("Nothing to resolve: every appointment has its own slot."))
	}
	start, end := ui.Window(len(s.rows), s.sel, 4)
	for i := start; i < end; i++ {
		lines = append(lines, s.listRow(i))
	}
	switch {
	case s.sel < len(s.rows) && s.rows[s.sel].conflict.On == core.ConflictOnRefill:
		lines = append(lines, "")
		lines = append(lines, s.refillLines(s.rows[s.sel])...)
	case s.sel < len(s.rows):
		lines = append(lines, "", s.sides(s.rows[s.sel]),
			st.Subtle.Render("m keeps the marked side (>), moves the other to its next free slot; h/l marks."))
	}
	switch {
	case s.doing != nil:
		lines = append(lines, s.S.Spinner()+" Resolving…")
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, st.OK.Render(s.flash))
	}
	return strings.Join(lines, "\n")
}

// listRow is one conflict in the list.
func (s *Screen) listRow(i int) string {
	r := s.rows[i]
	a := r.appts[0]
	mark := "  "
	if i == s.sel {
		mark = "> "
	}
	what := map[string]string{"doctor": "doctor double-booked", "room": "room double-booked", "patient": "patient booked twice", core.ConflictOnRefill: "refill approved twice"}[r.conflict.On]
	row := fmt.Sprintf("%s%-22s %s  %s", mark, what, s.S.DoctorLabel(a.Doctor), s.S.When(a.Start))
	if r.refill != nil {
		row = fmt.Sprintf("%s%-22s %s  %s", mark, what, r.refill.patient, s.S.When(r.refill.refill.CreatedAt))
	}
	if i == s.sel {
		return s.S.Styles.Selected.Render(row)
	}
	return row
}

// sides draws both appointments of a conflict next to each other.
func (s *Screen) sides(r conflictRow) string {
	w := s.Width / 2
	inner := w - 2
	var boxes []string
	for i := range r.appts {
		style := s.S.Styles.Panel
		title := fmt.Sprintf("  %d keeps this, cancels the other", i+1)
		if i == s.keep {
			style = s.S.Styles.PanelFocused
			title = ">" + title[1:]
		}
		lines := []string{s.S.Styles.Bold.Render(ui.Truncate(title, inner)), ""}
		for _, l := range s.sideLines(r, i) {
			lines = append(lines, ui.Truncate(l, inner))
		}
		boxes = append(boxes, style.Width(inner).Render(strings.Join(lines, "\n")))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, boxes...)
}

// sideLines describe one appointment of a conflict.
func (s *Screen) sideLines(r conflictRow, i int) []string {
	a := r.appts[i]
	if a.ID == "" {
		return []string{"Not available: " + s.S.Describe(r.err)}
	}
	room := ui.Text(a.Room)
	if room == "" {
		room = "-"
	}
	return []string{
		"Patient  " + r.names[i],
		"Doctor   " + s.S.DoctorLabel(a.Doctor),
		"When     " + s.S.When(a.Start) + "-" + s.S.Clock(a.End()),
		"Room     " + room,
		"Status   " + core.StatusWord(string(a.Status)),
		"Booked   " + a.CreatedAt.In(s.S.Zone()).Format("2 Jan 15:04") + " by " + ui.Text(a.CreatedBy),
	}
}

// ShortHelp is the resolving keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if len(s.rows) == 0 {
		return []key.Binding{k.Refresh}
	}
	if s.settle != nil {
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "settle"), ui.WithHelp(k.Back, "esc", "keep open")}
	}
	if s.sel < len(s.rows) && s.rows[s.sel].conflict.On == core.ConflictOnRefill {
		if !s.S.Can(core.ActUpdate, core.KindRefill) {
			return []key.Binding{k.Up, k.Down}
		}
		return []key.Binding{ui.WithHelp(k.KeepLeft, "1", "both dispensed"), ui.WithHelp(k.KeepRight, "2", "second recalled")}
	}
	if !s.S.Can(core.ActUpdate, core.KindConflict) {
		return []key.Binding{k.Up, k.Down}
	}
	return []key.Binding{k.KeepLeft, k.KeepRight, ui.WithHelp(k.MoveOther, "m", "move other")}
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	mark := key.NewBinding(key.WithKeys("h", "l"), key.WithHelp("h/l", "mark side"))
	groups := [][]key.Binding{{k.Up, k.Down, mark, k.Refresh}}
	if s.S.Can(core.ActUpdate, core.KindConflict) {
		groups = append(groups, []key.Binding{k.KeepLeft, k.KeepRight, k.MoveOther})
	}
	return groups
}
