package conflicts

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

// port holds one open conflict between two appointments.
type port struct {
	appts    map[core.ID]core.Appointment
	resolved []core.ID
}

func (p *port) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	return map[core.ID]string{ids[0]: "Ann\x1b]0;x\x07", ids[len(ids)-1]: "Ben"}, nil
}
func (p *port) Conflicts() ([]core.Conflict, error) {
	return []core.Conflict{{Meta: core.Meta{ID: "c1"}, On: "doctor", Appointments: [2]core.ID{"a1", "a2"}, Status: core.ConflictOpen}}, nil
}
func (p *port) Appointment(id core.ID) (core.Appointment, error) { return p.appts[id], nil }
func (p *port) CheckSlot(core.Appointment) error                 { return nil }
func (p *port) ResolveConflict(id, keep core.ID, _ time.Time) error {
	p.resolved = append(p.resolved, id, keep)
	return nil
}

func do(s *Screen, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			do(s, c)
		}
	default:
		do(s, s.Update(msg))
	}
}

func TestKeepRightCancelsLeft(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	c.Who = core.Principal{User: "ana", Role: core.RoleReception}
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	p := &port{appts: map[core.ID]core.Appointment{
		"a1": {Meta: core.Meta{ID: "a1", CreatedBy: "ana"}, PatientID: "p1", Doctor: "okafor", Start: start, Minutes: 15, Status: core.ApptBooked},
		"a2": {Meta: core.Meta{ID: "a2", CreatedBy: "ben\x1b[2J"}, PatientID: "p2", Doctor: "okafor", Start: start, Minutes: 15, Status: core.ApptBooked},
	}}
	s := New(c, p, ui.Route{})
	s.SetSize(100, 30)
	do(s, s.Init())
	if v := s.View(); !strings.Contains(v, "Open conflicts (1)") || strings.ContainsAny(v, "\x1b\x07") {
		t.Fatalf("view:\n%q", v)
	}
	do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")}))
	if len(p.resolved) != 2 || p.resolved[0] != "c1" || p.resolved[1] != "a2" {
		t.Fatalf("resolved %v, want c1 keeping a2", p.resolved)
	}
	if !strings.Contains(s.View(), "Kept Ben at 10:00") {
		t.Fatalf("no note of what was done:\n%s", s.View())
	}
}
