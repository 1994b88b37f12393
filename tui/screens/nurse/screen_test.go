package nurse

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

// port holds one day of visits and refill requests.
type port struct {
	appts   []core.Appointment
	refills []core.Refill
}

func (p *port) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	return map[core.ID]string{"p1": "Ann Early", "p2": "Ben Waiting\x1b]0;x\x07", "p3": "Cem Later"}, nil
}
func (p *port) Appointments(core.Date, string) ([]core.Appointment, error) { return p.appts, nil }
func (p *port) Doctors() ([]core.User, error) {
	return []core.User{{Name: "okafor", DisplayName: "Dr Amara Okafor", Role: core.RoleDoctor}}, nil
}
func (p *port) Schedule(doctor string) (core.Schedule, error) {
	return core.Schedule{Doctor: doctor}, nil
}
func (p *port) Refills(bool) ([]core.Refill, error) { return p.refills, nil }
func (p *port) Prescription(id core.ID) (core.Prescription, error) {
	return core.Prescription{Meta: core.Meta{ID: id}, Medications: []core.PrescribedDrug{{Drug: "sertraline", Dose: "50 mg", Frequency: "once a day"}}}, nil
}

// run carries out a Cmd and gives its messages to the screen.
func run(s *Screen, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(s, c)
		}
	default:
		run(s, s.Update(msg))
	}
}

func newScreen(t *testing.T, p *port) *Screen {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), func() time.Time { return now })
	c.Who = core.Principal{User: "nurse", Role: core.RoleNurse}
	s := New(c, p, ui.Route{})
	s.SetSize(80, 22)
	run(s, s.Init())
	return s
}

// The patient waiting comes first with the minutes waited, then the
// visits to come; the refill requests are listed under them; enter opens
// the selected patient's chart, from either list.
func TestNurseDay(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	p := &port{
		appts: []core.Appointment{
			{Meta: core.Meta{ID: "a1"}, PatientID: "p1", Doctor: "okafor", Start: day.Add(8 * time.Hour), Minutes: 15, Status: core.ApptCompleted},
			{Meta: core.Meta{ID: "a3"}, PatientID: "p3", Doctor: "okafor", Start: day.Add(11 * time.Hour), Minutes: 15, Status: core.ApptBooked, Reason: "BP check"},
			{Meta: core.Meta{ID: "a2"}, PatientID: "p2", Doctor: "lee", Start: day.Add(10 * time.Hour), Minutes: 15, Status: core.ApptCheckedIn, CheckedInAt: day.Add(9*time.Hour + 48*time.Minute)},
			{Meta: core.Meta{ID: "a4"}, PatientID: "p3", Doctor: "lee", Start: day.Add(12 * time.Hour), Minutes: 15, Status: core.ApptCancelled},
		},
		refills: []core.Refill{{Meta: core.Meta{ID: "r1", CreatedAt: day.Add(9 * time.Hour)}, PrescriptionID: "rx1", PatientID: "p1", RequestedBy: "desk", Status: core.RefillRequested}},
	}
	s := newScreen(t, p)
	v := s.View()
	for _, want := range []string{"Today, Thu 26 Nov 2026: 3 visits, 1 waiting", "Dr Amara Okafor", "> 12 min", "Ben Waiting", "Refill requests waiting for a doctor (1)", "sertraline 50 mg once a day", "by desk", "a records a set", "t taken, x missed, L late"} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.ContainsAny(v, "\x1b\x07") {
		t.Fatalf("escape in the view: %q", v)
	}
	if i, j := strings.Index(v, "Ben Waiting"), strings.Index(v, "Cem Later"); i > j {
		t.Fatalf("the waiting patient is not first:\n%s", v)
	}
	run(s, s.Update(tea.KeyMsg{Type: tea.KeyEnter}))
	if r := s.S.TakeRoutes(); len(r) != 1 || r[0].Page != ui.PageChart || r[0].PatientID != "p2" || r[0].Appt != "a2" {
		t.Fatalf("enter on the waiting patient asked for %+v", r)
	}
	run(s, s.Update(tea.KeyMsg{Type: tea.KeyTab}))
	run(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("v")}))
	if r := s.S.TakeRoutes(); len(r) != 1 || r[0].Page != ui.PageChart || r[0].PatientID != "p1" {
		t.Fatalf("v on the refill request asked for %+v", r)
	}
}
