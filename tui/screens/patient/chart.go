package patient

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Chart shows a patient's clinical notes, newest first. The session
// decides who may read them; a refusal is shown as its reason.
type Chart struct {
	ui.Base
	port    Port
	p       core.Patient
	notes   []core.Note
	loading bool
	err     string
	vp      viewport.Model
}

// NewChart opens r.Patient's chart.
func NewChart(c *ui.Shared, p Port, r ui.Route) *Chart {
	return &Chart{Base: ui.NewBase(c), port: p, p: r.Patient, vp: viewport.New(0, 0)}
}

// Init loads the notes.
func (s *Chart) Init() tea.Cmd {
	s.loading = true
	return notesCmd(s.port, s.ID(), s.p.ID)
}

// Title names the screen.
func (s *Chart) Title() string { return "Chart" }

// Busy is set while the notes load.
func (s *Chart) Busy() bool { return s.loading }

// SetSize sizes the scrolling view and rewraps the notes.
func (s *Chart) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	s.vp.Width, s.vp.Height = w, max(1, h-2)
	s.vp.SetContent(s.content())
}

// Update scrolls, or goes back.
func (s *Chart) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case notesMsg:
		s.loading = false
		s.notes, s.err = msg.notes, s.S.Describe(msg.err)
		s.vp.SetContent(s.content())
		return nil
	case tea.KeyMsg:
		if key.Matches(msg, s.S.Keys.Back) {
			return s.S.Back()
		}
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

// content is the notes as text wrapped to the width.
func (s *Chart) content() string {
	st := s.S.Styles
	switch {
	case s.err != "":
		return st.Error.Render(s.err)
	case s.loading:
		return s.S.Spinner() + " Loading the notes…"
	case len(s.notes) == 0:
		return st.Subtle.Render("No notes yet.")
	}
	var b strings.Builder
	for _, n := range s.notes {
		b.WriteString(st.Bold.Render(s.S.When(n.CreatedAt)+"  "+s.S.DoctorLabel(n.Author)) + "\n")
		for _, part := range [][2]string{{"S", n.Subjective}, {"O", n.Objective}, {"A", n.Assessment}, {"P", n.Plan}} {
			if part[1] != "" {
				b.WriteString(ui.Indent(ansi.Wordwrap(part[0]+": "+ui.Block(part[1]), max(10, s.Width-4), " "), "  ") + "\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// View draws the patient's name over the notes.
func (s *Chart) View() string {
	return s.S.Styles.Title.Render(ui.Text(s.p.Name)) + "\n\n" + s.vp.View()
}

// ShortHelp is the scrolling keys.
func (s *Chart) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{ui.WithHelp(k.Up, "k/up", "scroll up"), ui.WithHelp(k.Down, "j/down", "scroll down")}
}

// FullHelp is the short help in one column.
func (s *Chart) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
