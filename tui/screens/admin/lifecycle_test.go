package admin

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

// lifePort is a directory the lifecycle keys act on.
type lifePort struct {
	users []core.User
	calls []string
}

func (p *lifePort) Users() ([]core.User, error) { return p.users, nil }

func (p *lifePort) find(name string) *core.User {
	for i := range p.users {
		if p.users[i].Name == name {
			return &p.users[i]
		}
	}
	return nil
}

func (p *lifePort) DisableUser(name string) (int, error) {
	p.calls = append(p.calls, "disable "+name)
	p.find(name).Disabled = true
	return 2, nil
}

func (p *lifePort) EnableUser(name string) error {
	p.calls = append(p.calls, "enable "+name)
	if !p.find(name).Disabled {
		return &core.ValidationError{Kind: core.KindUser, Fields: []core.FieldError{{Field: "name", Message: "is enabled already"}}}
	}
	p.find(name).Disabled = false
	return nil
}

func (p *lifePort) SetRole(name string, r core.Role) error {
	p.calls = append(p.calls, fmt.Sprintf("role %s %s", name, r))
	p.find(name).Role = r
	return nil
}

func (p *lifePort) ResetUser(name string) (string, error) {
	p.calls = append(p.calls, "reset "+name)
	return "ABCD-EFGH", nil
}

// press sends keys (one per string) and runs the Cmds they return, as the
// root would, until they settle.
func press(s *Screen, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		for cmd := s.Update(msg); cmd != nil; {
			cmd = s.Update(cmd())
		}
	}
}

func newLifeScreen(t *testing.T, who core.Role) (*Screen, *lifePort) {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	c.Who = core.Principal{User: "admin", Role: who}
	p := &lifePort{users: []core.User{{Name: "admin", Role: core.RoleAdmin}, {Name: "desk", Role: core.RoleReception}}}
	s := New(c, p, ui.Route{})
	s.SetSize(80, 20)
	s.Update(s.Init()())
	return s, p
}

func TestLifecycleKeys(t *testing.T) {
	s, p := newLifeScreen(t, core.RoleAdmin)
	press(s, "down", "d")
	if !strings.Contains(s.View(), "Disable desk on every workstation") || len(p.calls) != 0 {
		t.Fatalf("d did not ask first:\n%s", s.View())
	}
	press(s, "n")
	if len(p.calls) != 0 {
		t.Fatalf("answering no disabled: %v", p.calls)
	}
	press(s, "d", "y")
	if !strings.Contains(s.View(), "Disabled desk; key epoch 2 started.") || !strings.Contains(s.View(), "disabled") {
		t.Fatalf("after disabling:\n%s", s.View())
	}
	press(s, "e", "e")
	if !strings.Contains(s.View(), "enabled already") {
		t.Fatalf("enabling twice says nothing:\n%s", s.View())
	}
	press(s, "r")
	if !strings.Contains(s.View(), "Role for desk: 1 admin 2 reception 3 doctor 4 nurse 5 billing") {
		t.Fatalf("r asks for no role:\n%s", s.View())
	}
	press(s, "5")
	if !strings.Contains(s.View(), "desk is now billing.") {
		t.Fatalf("after 5:\n%s", s.View())
	}
	press(s, "r", "x")
	press(s, "p", "y")
	if !strings.Contains(s.View(), "Reset code for desk: ABCD-EFGH") {
		t.Fatalf("after the reset:\n%s", s.View())
	}
	want := []string{"disable desk", "enable desk", "enable desk", "role desk billing", "reset desk"}
	if fmt.Sprint(p.calls) != fmt.Sprint(want) {
		t.Fatalf("calls %v, want %v", p.calls, want)
	}
}

func TestLifecycleKeysAreAdminsOnly(t *testing.T) {
	s, p := newLifeScreen(t, core.RoleReception)
	press(s, "down", "d", "y", "e", "r", "1", "p", "y")
	if len(p.calls) != 0 {
		t.Fatalf("reception ran %v", p.calls)
	}
	for _, col := range s.FullHelp() {
		for _, b := range col {
			if b.Help().Key == "d" {
				t.Fatal("reception's help offers disable")
			}
		}
	}
}
