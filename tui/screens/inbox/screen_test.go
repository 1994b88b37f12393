package inbox

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

// port holds two messages for "ana"; opening the second fails.
type port struct{ opened []core.ID }

func (p *port) Inbox() ([]core.Message, error) {
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	return []core.Message{
		{Meta: core.Meta{ID: "m2", CreatedAt: at.Add(time.Hour)}, From: "okafor", To: []string{"ana"}, Subject: "Bloods\x1b]0;x\x07", Body: "Call back"},
		{Meta: core.Meta{ID: "m1", CreatedAt: at}, From: "okafor", To: []string{"ana"}, Subject: "Gone", Body: "x"},
	}, nil
}

func (p *port) OpenMessage(id core.ID) (core.Message, error) {
	p.opened = append(p.opened, id)
	if id == "m1" {
		return core.Message{}, errors.New("store: not found: message m1 is not one of yours")
	}
	return core.Message{Meta: core.Meta{ID: id}, From: "okafor", To: []string{"ana"}, Subject: "Bloods", Body: "Call back", ReadBy: []string{"ana"}}, nil
}

func do(s *Screen, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if msg := cmd(); msg != nil {
		do(s, s.Update(msg))
	}
}

func press(s *Screen, k tea.KeyMsg) { do(s, s.Update(k)) }

// Opening a message marks it read in the list; a message that cannot be
// opened says so in a sentence and leaves the list as it was.
func TestOpenMarksReadAndFailureIsASentence(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	c.Who = core.Principal{User: "ana", Role: core.RoleReception}
	p := &port{}
	s := New(c, p, ui.Route{})
	s.SetSize(100, 30)
	do(s, s.Init())
	if v := s.View(); !strings.Contains(v, "Messages (2, 2 unread)") || strings.ContainsAny(v, "\x1b\x07") {
		t.Fatalf("view:\n%q", v)
	}
	press(s, tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(s.View(), "Call back") || s.Title() != "Messages (1 unread)" {
		t.Fatalf("after enter: %q\n%s", s.Title(), s.View())
	}
	press(s, tea.KeyMsg{Type: tea.KeyEsc})
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")})
	press(s, tea.KeyMsg{Type: tea.KeyEnter})
	if v := s.View(); !strings.Contains(v, "not one of yours") || strings.Contains(v, "store:") || !strings.Contains(v, "Messages (2, 1 unread)") {
		t.Fatalf("after a failed open:\n%s", v)
	}
	if len(p.opened) != 2 || p.opened[0] != "m2" || p.opened[1] != "m1" {
		t.Errorf("opened %v", p.opened)
	}
}
