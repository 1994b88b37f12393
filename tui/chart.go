package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
)

// chartScreen shows a patient's clinical notes, newest first. It is only
// reached when the session returned the notes, so only clinicians see it.
type chartScreen struct {
	base
	p     core.Patient
	notes []core.Note
	vp    viewport.Model
}

func newChart(c *workspace, p core.Patient, notes []core.Note) *chartScreen {
	return &chartScreen{base: newBase(c), p: p, notes: notes, vp: viewport.New(0, 0)}
}

// Init does nothing: the notes came with the screen.
func (s *chartScreen) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *chartScreen) Title() string { return "Chart" }

// SetSize sizes the scrolling view and rewraps the notes.
func (s *chartScreen) SetSize(w, h int) {
	s.base.SetSize(w, h)
	s.vp.Width, s.vp.Height = w, max(1, h-2)
	s.vp.SetContent(s.content())
}

// Update scrolls, or goes back.
func (s *chartScreen) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, s.c.keys.Back) {
		return s.c.back()
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

// content is the notes as text wrapped to the width.
func (s *chartScreen) content() string {
	st := s.c.styles
	if len(s.notes) == 0 {
		return st.Subtle.Render("No notes yet.")
	}
	var b strings.Builder
	for _, n := range s.notes {
		b.WriteString(st.Bold.Render(s.c.when(n.CreatedAt)+"  "+s.c.doctorLabel(n.Author)) + "\n")
		for _, part := range [][2]string{{"S", n.Subjective}, {"O", n.Objective}, {"A", n.Assessment}, {"P", n.Plan}} {
			if part[1] != "" {
				b.WriteString(indent(ansi.Wordwrap(part[0]+": "+part[1], max(10, s.width-4), " "), "  ") + "\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// View draws the patient's name over the notes.
func (s *chartScreen) View() string {
	return s.c.styles.Title.Render(s.p.Name) + "\n\n" + s.vp.View()
}

// ShortHelp is the scrolling keys.
func (s *chartScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	return []key.Binding{withHelp(k.Up, "k/up", "scroll up"), withHelp(k.Down, "j/down", "scroll down")}
}

// FullHelp is the short help in one column.
func (s *chartScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
