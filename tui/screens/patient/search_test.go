package patient

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"medisecure/core"
	"medisecure/tui/ui"
)

// port finds a patient for any query with an "a" in it.
type port struct{}

func (port) FindPatients(text string, _ int) ([]core.Patient, error) {
	if strings.Contains(text, "an") {
		return []core.Patient{{Meta: core.Meta{ID: "p1"}, Name: "Anna\x1b[2J Schmidt"}}, nil
	}
	return []core.Patient{{Meta: core.Meta{ID: "p1"}, Name: "Anna Schmidt"}, {Meta: core.Meta{ID: "p2"}, Name: "José Núñez"}}, nil
}
func (port) Patient(core.ID, string) (core.Patient, error)              { return core.Patient{}, nil }
func (port) AddPatient(p core.Patient) (core.Patient, error)            { return p, nil }
func (port) UpdatePatient(p core.Patient) (core.Patient, error)         { return p, nil }
func (port) LikelyDuplicates(string, core.Date) ([]core.Patient, error) { return nil, nil }
func (port) PatientAppointments(core.ID) ([]core.Appointment, error)    { return nil, nil }

// TestSearchDropsStale: the answer to "a" arriving after the answer to
// "an" does not replace it; enter asks the root for the record.
func TestSearchDropsStale(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	s := NewSearch(c, port{}, ui.Route{})
	s.SetSize(80, 20)
	first := s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	second := s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	s.Update(second())
	s.Update(first())
	v := s.View()
	if strings.Contains(v, "José") || !strings.Contains(v, "1 patient.") || strings.Contains(v, "\x1b") {
		t.Fatalf("view:\n%q", v)
	}
	s.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if rs := c.TakeRoutes(); len(rs) != 1 || rs[0].Page != ui.PagePatient || rs[0].PatientID != "p1" {
		t.Fatalf("routes %+v", rs)
	}
}
