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

// countingPort counts the days asked of the store.
type countingPort struct {
	port
	asked map[core.Date]int
}

func (p *countingPort) Appointments(day core.Date, doctor string) ([]core.Appointment, error) {
	p.asked[day]++
	return p.port.Appointments(day, doctor)
}

func TestPagingDaysLoadsEachDayOnceUntilARefresh(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, zone)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), func() time.Time { return now })
	c.Who, c.Loc = core.Principal{User: "ana", Role: core.RoleReception}, zone
	tomorrow := now.AddDate(0, 0, 1)
	p := &countingPort{asked: map[core.Date]int{}, port: port{appts: []core.Appointment{{
		Meta: core.Meta{ID: "0190aa000000000000000001"}, PatientID: "0190aa000000000000000002", Doctor: "okafor",
		Start: tomorrow, Minutes: 15, Status: core.ApptBooked,
	}}}}
	s := New(c, p, ui.Route{})
	s.SetSize(80, 20)
	do(s, s.Init())
	for _, k := range []string{"]", "]", "[", "[", "]"} {
		do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}))
	}
	today, next, after := core.DateOf(now, zone), core.DateOf(tomorrow, zone), core.DateOf(now.AddDate(0, 0, 2), zone)
	for _, d := range []core.Date{today, next, after} {
		if p.asked[d] != 1 {
			t.Fatalf("days asked of the store while paging: %v, want each once", p.asked)
		}
	}
	if v := s.View(); !strings.Contains(v, ">09:00 Name") {
		t.Fatalf("tomorrow from the kept day does not show its appointment:\n%s", v)
	}

	// Another workstation books tomorrow at 10:00; a refresh shows it.
	p.appts = append(p.appts, core.Appointment{
		Meta: core.Meta{ID: "0190aa000000000000000003"}, PatientID: "0190aa000000000000000002", Doctor: "okafor",
		Start: tomorrow.Add(time.Hour), Minutes: 15, Status: core.ApptBooked,
	})
	do(s, s.Refresh())
	if p.asked[next] != 2 || p.asked[today] != 2 {
		t.Fatalf("days asked after a refresh: %v, want today and tomorrow again", p.asked)
	}
	if v := s.View(); !strings.Contains(v, " 10:00 Name") {
		t.Fatalf("the refresh does not show the new appointment:\n%s", v)
	}
}
