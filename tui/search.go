package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// bookTarget is set when the search picks a patient to book: the doctor
// and day the schedule showed.
type bookTarget struct {
	doctor string
	day    core.Date
}

// searchScreen finds patients by any part of name, phone or date of birth
// as the user types. Each keystroke asks the session in a Cmd numbered by
// seq; a result older than the one shown is dropped.
type searchScreen struct {
	base
	query     field
	results   []core.Patient
	sel       int
	seq       int // the last query asked
	shown     int // the query whose results are shown
	listFocus bool
	book      *bookTarget
	opening   bool
	err       string
}

// newSearch opens the search; with book set, enter books the patient.
func newSearch(c *workspace, book *bookTarget) *searchScreen {
	return &searchScreen{base: newBase(c), query: newField(40, "name, phone or date of birth"), book: book}
}

// Init waits for typing.
func (s *searchScreen) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *searchScreen) Title() string {
	if s.book != nil {
		return "Book: pick the patient"
	}
	return "Find a patient"
}

// Busy is set while a query or an open is under way.
func (s *searchScreen) Busy() bool { return s.shown < s.seq || s.opening }

// Capturing is set while the query has focus.
func (s *searchScreen) Capturing() bool { return !s.listFocus }

// Update handles typing, moving through the results and opening one.
func (s *searchScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchMsg:
		if msg.seq <= s.shown {
			return nil // stale: a later query already answered
		}
		s.shown, s.err = msg.seq, describe(msg.err)
		s.results, s.sel = msg.patients, 0
	case patientMsg:
		s.opening = false
		if msg.err != nil {
			s.err = describe(msg.err)
			return nil
		}
		return s.c.push(newPatientScreen(s.c, msg.patient))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *searchScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	switch {
	case key.Matches(k, keys.Back):
		return s.c.back()
	case k.Type == tea.KeyEnter:
		return s.choose()
	case k.Type == tea.KeyTab || k.Type == tea.KeyShiftTab:
		s.listFocus = !s.listFocus && len(s.results) > 0
	case key.Matches(k, keys.SearchNew):
		return s.c.replace(newRegister(s.c, s.query.Value()))
	case k.Type == tea.KeyUp, s.listFocus && key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case k.Type == tea.KeyDown, s.listFocus && key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.results)-1), s.sel+1)
	case s.listFocus && key.Matches(k, keys.Book) && s.book == nil && len(s.results) > 0:
		return s.c.push(newBook(s.c, bookArgs{patient: s.results[s.sel], day: s.c.today()}))
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
func (s *searchScreen) search() tea.Cmd {
	s.seq++
	text := strings.TrimSpace(s.query.Value())
	if text == "" {
		s.results, s.shown, s.err = nil, s.seq, ""
		return nil
	}
	return searchCmd(s.c.sess, s.id, s.seq, text)
}

// choose opens the selected patient, or books them when picking.
func (s *searchScreen) choose() tea.Cmd {
	if s.sel >= len(s.results) {
		return nil
	}
	p := s.results[s.sel]
	if s.book != nil {
		return s.c.push(newBook(s.c, bookArgs{patient: p, doctor: s.book.doctor, day: s.book.day}))
	}
	s.opening = true
	return openPatientCmd(s.c.sess, s.id, p.ID)
}

// View draws the query and the results.
func (s *searchScreen) View() string {
	st := s.c.styles
	lines := []string{
		"",
		formRow(st, "Search", s.query.View(st, !s.listFocus), !s.listFocus),
		"",
	}
	rows := s.height - len(lines) - 2
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
func (s *searchScreen) countLine() string {
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
func (s *searchScreen) resultLines(rows int) []string {
	st := s.c.styles
	if strings.TrimSpace(s.query.Value()) == "" {
		return []string{st.Subtle.Render("  Type part of a name, a phone number or a date of birth (1984-03-27).")}
	}
	start, end := window(len(s.results), s.sel, rows)
	out := make([]string, 0, end-start)
	nameW := min(maxName, max(10, s.width-34))
	for i := start; i < end; i++ {
		p := s.results[i]
		mark := "  "
		if i == s.sel {
			mark = "> "
		}
		row := mark + padRight(p.Name, nameW) + "  " + padRight(string(p.DOB), 10) + "  " + padRight(p.Phone, 18)
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		out = append(out, row)
	}
	return out
}

// ShortHelp is the search's line of keys.
func (s *searchScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	open := withHelp(k.Open, "enter", "open")
	if s.book != nil {
		open = withHelp(k.Open, "enter", "book")
	}
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("up/down", "select"))
	return []key.Binding{move, open, k.SearchNew}
}

// FullHelp lists every key of the search.
func (s *searchScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "list/query"))
	return [][]key.Binding{
		{k.Up, k.Down, focus},
		append(s.ShortHelp()[1:], withHelp(k.Book, "b", "book (in list)")),
	}
}
