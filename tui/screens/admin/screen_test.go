package admin

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

func TestOpenHoursOfADoctorOnly(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	s := New(c, &lifePort{users: []core.User{{Name: "desk", Role: core.RoleReception}, {Name: "dr.who", DisplayName: "Dr \x1b]0;x\x07Who", Role: core.RoleDoctor}}}, ui.Route{})
	s.SetSize(80, 20)
	s.Update(s.Init()())
	s.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(s.View(), "Only doctors have working hours.") || len(c.TakeRoutes()) != 0 {
		t.Fatalf("enter on reception:\n%s", s.View())
	}
	s.Update(tea.KeyMsg{Type: tea.KeyDown})
	s.Update(tea.KeyMsg{Type: tea.KeyEnter})
	routes := c.TakeRoutes()
	if len(routes) != 1 || routes[0].Page != ui.PageSchedules || routes[0].Doctor != "dr.who" {
		t.Fatalf("routes %+v", routes)
	}
	if strings.ContainsAny(s.View(), "\x1b\x07") {
		t.Fatalf("the display name drives the terminal: %q", s.View())
	}
}
