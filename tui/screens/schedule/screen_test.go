package schedule

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

var zone = time.FixedZone("CET", 3600)

// port is one doctor's two days; SetStatus records what was asked.
type port struct {
	appts []core.Appointment
	set   []core.AppointmentStatus
}

func (p *port) Doctors() ([]core.User, error) {
	return []core.User{{Name: "okafor", DisplayName: "Dr Amara Okafor", Role: core.RoleDoctor}}, nil
}
func (p *port) Schedule(string) (core.Schedule, error) { return core.Schedule{SlotMinutes: 15}, nil }
func (p *port) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	out := map[core.ID]string{}
	for _, id := range ids {
		out[id] = "Name\x1b[2J " + id.Short()
	}
	return out, nil
}
func (p *port) Appointments(day core.Date, _ string) ([]core.Appointment, error) {
	var out []core.Appointment
	for _, a := range p.appts {
		if core.DateOf(a.Start, zone) == day {
			out = append(out, a)
		}
	}
	return out, nil
}
func (p *port) SetStatus(id core.ID, to core.AppointmentStatus, _ string) (core.Appointment, error) {
	p.set = append(p.set, to)
	return core.Appointment{Meta: core.Meta{ID: id}, Status: to}, nil
}

// do runs cmd and feeds the screen what it returns, and so on.
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

func TestFutureDayStatusNeverReachesTheStore(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, zone)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), func() time.Time { return now })
	c.Who, c.Loc = core.Principal{User: "ana", Role: core.RoleReception}, zone
	p := &port{appts: []core.Appointment{{
		Meta: core.Meta{ID: "0190aa000000000000000001"}, PatientID: "0190aa000000000000000002", Doctor: "okafor",
		Start: now.AddDate(0, 0, 1), Minutes: 15, Status: core.ApptBooked,
	}}}
	s := New(c, p, ui.Route{})
	s.SetSize(80, 20)
	do(s, s.Init())
	for _, k := range []string{"]", "c", "s", "d", "x"} {
		do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}))
	}
	if len(p.set) != 0 {
		t.Fatalf("status changes sent for tomorrow: %v", p.set)
	}
	v := s.View()
	if !strings.Contains(v, "only after it starts at 09:00") || strings.Contains(v, "\x1b") {
		t.Fatalf("view:\n%q", v)
	}
}
