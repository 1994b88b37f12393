package login

import (
	"errors"
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

// port is a Port that knows one user.
type port struct{ asked []string }

type session struct{ p core.Principal }

func (s session) Principal() core.Principal { return s.p }
func (s session) Zone() *time.Location      { return time.UTC }

func (p *port) Login(user, pass string) (Session, error) {
	p.asked = append(p.asked, user)
	if user == "ana" && pass == "demo" {
		return session{core.Principal{User: "ana", Role: core.RoleReception}}, nil
	}
	return nil, core.ErrAuth
}

func shared() *ui.Shared {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
}

// keys types s, with enter for "\n" and tab for "\t", and runs the Cmds.
func keys(l *Screen, s string) tea.Msg {
	var last tea.Msg
	for _, r := range s {
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		switch r {
		case '\n':
			k = tea.KeyMsg{Type: tea.KeyEnter}
		case '\t':
			k = tea.KeyMsg{Type: tea.KeyTab}
		}
		if cmd := l.Update(k); cmd != nil {
			last = cmd()
			l.Update(last)
		}
	}
	return last
}

func TestLogin(t *testing.T) {
	p := &port{}
	l := New(shared(), p, "")
	l.SetSize(80, 20)
	msg, ok := keys(l, "ana\nwrong\n").(DoneMsg)
	if !ok || !errors.Is(msg.Err, core.ErrAuth) || !strings.Contains(l.View(), "Wrong user or passphrase.") {
		t.Fatalf("wrong passphrase: %+v\n%s", msg, l.View())
	}
	if strings.Contains(l.View(), "wrong") {
		t.Fatal("the passphrase stays on the screen")
	}
	msg = keys(l, "demo\n").(DoneMsg)
	if msg.Err != nil || msg.Who.User != "ana" || msg.Unlock {
		t.Fatalf("login: %+v", msg)
	}
}

func TestUnlockKeepsTheUser(t *testing.T) {
	p := &port{}
	l := NewUnlock(shared(), p, "ana")
	keys(l, "\tbob\n")
	if len(p.asked) != 1 || p.asked[0] != "ana" {
		t.Fatalf("the lock screen logged in %v", p.asked)
	}
	if !l.Locked() || !strings.Contains(l.View(), "ana, type your passphrase") {
		t.Fatalf("lock screen:\n%s", l.View())
	}
}
