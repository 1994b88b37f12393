package schedule

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"medisecure/core"
	"medisecure/tui/ui"
)

// twoDoctors is port with a second doctor.
type twoDoctors struct{ port }

func (p *twoDoctors) Doctors() ([]core.User, error) {
	return []core.User{
		{Name: "okafor", DisplayName: "Dr Amara Okafor", Role: core.RoleDoctor},
		{Name: "ito", DisplayName: "Dr Ken Ito", Role: core.RoleDoctor},
	}, nil
}

// TestDayColumnsAreDrawnToSizeIntoTheFrame: the day's columns are
// exactly the body's size at every width and height that has them, so
// the root takes them as written into its frame, and the frame written is
// the view between the root's parts; kept columns follow the selection.
func TestDayColumnsAreDrawnToSizeIntoTheFrame(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, zone)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), func() time.Time { return now })
	c.Who, c.Loc = core.Principal{User: "ana", Role: core.RoleReception}, zone
	p := &twoDoctors{port{}}
	for i := 0; i < 12; i++ {
		for d, doc := range []string{"okafor", "ito"} {
			p.appts = append(p.appts, core.Appointment{
				Meta:      core.Meta{ID: core.ID("0190aa0000000000000" + string(rune('a'+d)) + string(rune('a'+i)) + "000")},
				PatientID: core.ID("0190bb0000000000000" + string(rune('a'+d)) + string(rune('a'+i)) + "000"),
				Doctor:    doc, Start: now.Add(time.Duration(i) * 15 * time.Minute), Minutes: 15, Status: core.ApptBooked,
			})
		}
	}
	s := New(c, p, ui.Route{})
	s.SetSize(120, 20)
	do(s, s.Init())
	columns := 0
	for _, w := range []int{54, 60, 80, 81, 120, 200, 300} {
		for _, h := range []int{1, 3, 4, 5, 6, 10, 24, 60, 100} {
			s.SetSize(w, h)
			v := s.View()
			var b strings.Builder
			s.WriteView(&b, "head\n", "\nhelp\nstatus")
			if got := b.String(); got != "head\n"+v+"\nhelp\nstatus" {
				t.Fatalf("%dx%d: WriteView differs from View:\n%q\n%q", w, h, got, v)
			}
			if s.layoutDay().cols == 0 || h < 5 {
				continue
			}
			columns++
			if !ui.Fits(v, w, h) {
				t.Errorf("%dx%d: the day's columns are %d lines, not drawn to size:\n%s", w, h, strings.Count(v, "\n")+1, v)
			}
		}
	}
	if columns == 0 {
		t.Fatal("no size drew columns")
	}
	s.SetSize(120, 20)
	first := s.View()
	do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("l")}))
	second := s.View()
	if a, b := marked(first), marked(second); a != 0 || b < 40 {
		t.Errorf("the selection mark is %d cells in, then %d; want the first column, then the second:\n%s\n%s", a, b, first, second)
	}
	do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("h")}))
	if v := s.View(); v != first {
		t.Errorf("back on the first doctor the day is drawn otherwise:\n%s\n%s", first, v)
	}
}

// marked is how many cells in a line the selected column's border before
// the selection mark ">" is, or -1.
func marked(v string) int {
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if i := strings.Index(l, "┃>"); i >= 0 {
			return len([]rune(l[:i]))
		}
	}
	return -1
}
