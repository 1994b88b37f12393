package conflicts

import (
	"fmt"
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

// port holds one open conflict between two appointments, and with
// refill set one refill approved twice as well.
type port struct {
	appts    map[core.ID]core.Appointment
	resolved []core.ID
	refill   *core.Refill
	settled  []string
}

func (p *port) Refills(bool) ([]core.Refill, error) {
	if p.refill == nil {
		return nil, nil
	}
	return []core.Refill{*p.refill}, nil
}
func (p *port) Prescription(id core.ID) (core.Prescription, error) {
	return core.Prescription{Meta: core.Meta{ID: id}, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Frequency: "twice a day", RefillsUsed: 1, RefillsAllowed: 3}}}, nil
}
func (p *port) ResolveRefillConflict(refill core.ID, both bool, reason string) error {
	p.settled = append(p.settled, fmt.Sprintf("%s %v %s", refill, both, reason))
	return nil
}

func (p *port) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	return map[core.ID]string{ids[0]: "Ann\x1b]0;x\x07", ids[len(ids)-1]: "Ben"}, nil
}
func (p *port) Conflicts() ([]core.Conflict, error) {
	out := []core.Conflict{{Meta: core.Meta{ID: "c1"}, On: "doctor", Appointments: [2]core.ID{"a1", "a2"}, Status: core.ConflictOpen}}
	if p.refill != nil {
		out = append(out, *core.NewRefillConflict(p.refill.ID, []core.ID{"ap1", "ap2"}, p.refill.CreatedAt))
	}
	return out, nil
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

// shared is the screens' shared state for a user of role.
func shared(user string, role core.Role) *ui.Shared {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	c.Who = core.Principal{User: user, Role: role}
	return c
}

func TestKeepRightCancelsLeft(t *testing.T) {
	c := shared("ana", core.RoleReception)
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

// press sends keys, one string per key, to the screen.
func press(s *Screen, keys ...string) {
	for _, k := range keys {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		}
		do(s, s.Update(msg))
	}
}

// A refill approved twice is listed with the double bookings; a doctor
// settles it by choosing what happened and saying why. Giving up or
// giving no reason settles nothing, and neither side is ever dropped
// without a choice.
func TestRefillApprovedTwiceSettled(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	refill := &core.Refill{Meta: core.Meta{ID: "r1", CreatedAt: at}, PrescriptionID: "rx1", PatientID: "p2", RequestedBy: "nurse\x1b[31m", Status: core.RefillApproved, DecidedBy: "okafor", Approval: "ap2"}
	for _, tc := range []struct {
		name  string
		keys  []string
		want  string
		flash string
	}{
		{"both dispensed", []string{"down", "1", "pharmacy gave both", "enter"}, "r1 true pharmacy gave both", "Settled: metformin for Ben, both dispensed."},
		{"second recalled", []string{"down", "2", "returned", "enter"}, "r1 false returned", "for Ben, second recalled."},
		{"given up", []string{"down", "1", "half", "esc", "enter"}, "", ""},
		{"no reason", []string{"down", "2", "enter"}, "", "Say what happened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &port{appts: map[core.ID]core.Appointment{}, refill: refill}
			s := New(shared("okafor", core.RoleDoctor), p, ui.Route{})
			s.SetSize(80, 24)
			do(s, s.Init())
			press(s, "down")
			v := s.View()
			for _, want := range []string{"refill approved twice", "1 both dispensed", "2 second recalled", "twice, on two workstations offline (2 approvals)", "metformin 500 mg"} {
				if !strings.Contains(v, want) {
					t.Fatalf("view lacks %q:\n%s", want, v)
				}
			}
			if strings.ContainsAny(v, "\x1b") {
				t.Fatalf("escape in the view: %q", v)
			}
			press(s, tc.keys[1:]...)
			if got := strings.Join(p.settled, ";"); got != tc.want {
				t.Fatalf("settled %q, want %q", got, tc.want)
			}
			if len(p.resolved) != 0 {
				t.Fatalf("an appointment conflict was resolved: %v", p.resolved)
			}
			if tc.flash != "" && !strings.Contains(s.View(), tc.flash) {
				t.Fatalf("view lacks %q:\n%s", tc.flash, s.View())
			}
		})
	}
}

// Reception sees a refill approved twice but cannot settle it.
func TestRefillConflictNeedsADoctor(t *testing.T) {
	p := &port{appts: map[core.ID]core.Appointment{}, refill: &core.Refill{Meta: core.Meta{ID: "r1"}, PrescriptionID: "rx1", PatientID: "p2", RequestedBy: "nurse", Status: core.RefillApproved}}
	s := New(shared("ana", core.RoleReception), p, ui.Route{})
	s.SetSize(80, 24)
	do(s, s.Init())
	press(s, "down", "1")
	if s.Capturing() || !strings.Contains(s.View(), "Only a doctor settles") {
		t.Fatalf("reception may settle:\n%s", s.View())
	}
}
