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
type port struct {
	asked []string
	// boPass is bo's passphrase once bo set one with the reset code.
	boPass string
}

type session struct{ p core.Principal }

func (s session) Principal() core.Principal { return s.p }
func (s session) Zone() *time.Location      { return time.UTC }

func (p *port) Login(user, pass string) (Session, error) {
	p.asked = append(p.asked, user)
	switch {
	case user == "ana" && pass == "demo":
		return session{core.Principal{User: "ana", Role: core.RoleReception}}, nil
	case user == "bo" && p.boPass == "":
		return nil, core.ErrResetPending
	case user == "bo" && pass == p.boPass:
		return session{core.Principal{User: "bo", Role: core.RoleNurse}}, nil
	}
	return nil, core.ErrAuth
}

// RedeemReset knows bo's reset code.
func (p *port) RedeemReset(user, code, pass string) error {
	if user != "bo" || code != "ABCD-EFGH" || p.boPass != "" {
		return core.ErrAuth
	}
	p.boPass = pass
	return nil
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

// A user an admin reset is offered the reset form at login: a wrong code
// is refused and the form stays; the right code and a new passphrase twice
// set it and log them in.
func TestLoginOffersTheReset(t *testing.T) {
	p := &port{}
	l := New(shared(), p, "")
	l.SetSize(80, 20)
	keys(l, "bo\nanything\n")
	if !strings.Contains(l.View(), "bo, an admin reset your account") {
		t.Fatalf("no reset form:\n%s", l.View())
	}
	keys(l, "ABCD-EFGH\tnew-bo-pass\tother-pass\n")
	if !strings.Contains(l.View(), "The two passphrases differ") {
		t.Fatalf("differing passphrases:\n%s", l.View())
	}
	l.reset.code.SetValue("")
	l.reset.focus = 0
	msg, _ := keys(l, "WRONG-CODE\tnew-bo-pass\tnew-bo-pass\n").(DoneMsg)
	if !errors.Is(msg.Err, core.ErrAuth) || !strings.Contains(l.View(), "Reset code") {
		t.Fatalf("a wrong code: %+v\n%s", msg, l.View())
	}
	l.reset.code.SetValue("")
	l.reset.focus = 0
	msg, _ = keys(l, "ABCD-EFGH\tnew-bo-pass\tnew-bo-pass\n").(DoneMsg)
	if msg.Err != nil || msg.Who.User != "bo" || p.boPass != "new-bo-pass" {
		t.Fatalf("the reset: %+v, passphrase %q", msg, p.boPass)
	}
	if strings.Contains(l.View(), "new-bo-pass") {
		t.Fatal("the new passphrase stays on the screen")
	}
}
