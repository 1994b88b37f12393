package patient

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Search finds patients by any part of name, phone or date of birth
// as the user types. Each keystroke asks the session in a Cmd numbered by
// seq; a result older than the one shown is dropped.
type Search struct {
	ui.Base
	port      Port
	query     ui.Field
	results   []core.Patient
	sel       int
	seq       int // the last query asked
	shown     int // the query whose results are shown
	listFocus bool
	// book is set when the search picks a patient to book with the
	// doctor and day the schedule showed.
	book *ui.Route
	err  string
}

// NewSearch opens the search; with r.Pick set, enter books the patient
// with r.Doctor on r.Day.
func NewSearch(c *ui.Shared, p Port, r ui.Route) *Search {
	s := &Search{Base: ui.NewBase(c), port: p, query: ui.NewField(40, "name, phone or date of birth")}
	if r.Pick {
		s.book = &ui.Route{Doctor: r.Doctor, Day: r.Day}
	}
	return s
}

// Init waits for typing.
func (s *Search) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *Search) Title() string {
	if s.book != nil {
		return "Book: pick the patient"
	}
	return "Find a patient"
}

// Busy is set while a query or an open is under way.
func (s *Search) Busy() bool { return s.shown < s.seq }

// Capturing is set while the query has focus.
func (s *Search) Capturing() bool { return !s.listFocus }

// Update handles typing, moving through the results and opening one.
func (s *Search) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchMsg:
		if msg.seq <= s.shown {
			return nil // stale: a later query already answered
		}
		s.shown, s.err = msg.seq, s.S.Describe(msg.err)
		s.results, s.sel = msg.patients, 0
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *Search) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case k.Type == tea.KeyEnter:
		return s.choose()
	case k.Type == tea.KeyTab || k.Type == tea.KeyShiftTab:
		s.listFocus = !s.listFocus && len(s.results) > 0
	case key.Matches(k, keys.SearchNew):
		return s.S.Go(ui.Route{Nav: ui.NavReplace, Page: ui.PageRegister, Query: s.query.Value()})
	case k.Type == tea.KeyUp, s.listFocus && key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case k.Type == tea.KeyDown, s.listFocus && key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.results)-1), s.sel+1)
	case s.listFocus && key.Matches(k, keys.Book) && s.book == nil && len(s.results) > 0:
		return s.S.Push(ui.PageBook, ui.Route{Patient: s.results[s.sel], Day: s.S.Today()})
	case s.listFocus && key.Matches(k, keys.Search):
		s.listFocus = false
	default:
		s.listFocus = false
		if s.query.Update(k) {
			return s.search()
		}
	}
	return nil
}

// search asks for the query as it stands.
func (s *Search) search() tea.Cmd {
	s.seq++
	text := strings.TrimSpace(s.query.Value())
	if text == "" {
		s.results, s.shown, s.err = nil, s.seq, ""
		return nil
	}
	return searchCmd(s.port, s.ID(), s.seq, text)
}

// choose opens the selected patient, or books them when picking.
func (s *Search) choose() tea.Cmd {
	if s.sel >= len(s.results) {
		return nil
	}
	p := s.results[s.sel]
	if s.book != nil {
		return s.S.Push(ui.PageBook, ui.Route{Patient: p, Doctor: s.book.Doctor, Day: s.book.Day})
	}
	return s.S.Push(ui.PagePatient, ui.Route{PatientID: p.ID})
}

// View draws the query and the results.
func (s *Search) View() string {
	st := s.S.Styles
	lines := []string{
		"",
		ui.FormRow(st, "Search", s.query.View(st, !s.listFocus), !s.listFocus),
		"",
	}
	rows := s.Height - len(lines) - 2
	lines = append(lines, s.resultLines(rows)...)
	switch {
	case s.err != "":
		lines = append(lines, "", st.Error.Render(s.err))
	case s.shown == s.seq && strings.TrimSpace(s.query.Value()) != "":
		lines = append(lines, "", st.Subtle.Render(s.countLine()))
	}
	return strings.Join(lines, "\n")
}

// countLine says how many matched.
func (s *Search) countLine() string {
	switch n := len(s.results); {
	case n == 0:
		return "No patient matches. ctrl+n registers a new one."
	case n == 1:
		return "1 patient. enter opens."
	case n >= searchLimit:
		return fmt.Sprintf("The first %d patients; type more to narrow.", n)
	default:
		return fmt.Sprintf("%d patients.", n)
	}
}

// resultLines are the matches in at most rows lines.
func (s *Search) resultLines(rows int) []string {
	st := s.S.Styles
	if strings.TrimSpace(s.query.Value()) == "" {
		return []string{st.Subtle.Render("  Type part of a name, a phone number or a date of birth (1984-03-27).")}
	}
	start, end := ui.Window(len(s.results), s.sel, rows)
	out := make([]string, 0, end-start)
	nameW := min(ui.MaxName, max(10, s.Width-34))
	for i := start; i < end; i++ {
		p := s.results[i]
		mark := "  "
		if i == s.sel {
			mark = "> "
		}
		row := mark + ui.PadRight(ui.Text(p.Name), nameW) + "  " + ui.PadRight(ui.Text(string(p.DOB)), 10) + "  " + ui.PadRight(ui.Text(p.Phone), 18)
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		out = append(out, row)
	}
	return out
}

// ShortHelp is the search's line of keys.
func (s *Search) ShortHelp() []key.Binding {
	k := s.S.Keys
	open := ui.WithHelp(k.Open, "enter", "open")
	if s.book != nil {
		open = ui.WithHelp(k.Open, "enter", "book")
	}
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("up/down", "select"))
	return []key.Binding{move, open, k.SearchNew}
}

// FullHelp lists every key of the search.
func (s *Search) FullHelp() [][]key.Binding {
	k := s.S.Keys
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "list/query"))
	return [][]key.Binding{
		{k.Up, k.Down, focus},
		append(s.ShortHelp()[1:], ui.WithHelp(k.Book, "b", "book (in list)")),
	}
}
