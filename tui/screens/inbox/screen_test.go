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

func (p *port) SaveAttachments(core.ID, string) ([]string, error) { return nil, errors.New("no files") }

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

// threadPort holds a question, its two answers (one unread) and an
// unrelated message, and records where files were saved.
type threadPort struct {
	list   []core.Message
	opened []core.ID
	saved  string
}

func (p *threadPort) Inbox() ([]core.Message, error) { return p.list, nil }

func (p *threadPort) OpenMessage(id core.ID) (core.Message, error) {
	p.opened = append(p.opened, id)
	for _, m := range p.list {
		if m.ID == id {
			m.ReadBy = []string{"ana"}
			return m, nil
		}
	}
	return core.Message{}, errors.New("store: not found: no such message")
}

func (p *threadPort) SaveAttachments(id core.ID, dir string) ([]string, error) {
	p.saved = string(id) + " into " + dir
	return []string{dir + "/bloods.pdf"}, nil
}

// Messages and their replies were a flat list, and files could be saved
// only from the CLI. The list now shows one row per thread (its latest
// message, how many it holds, NEW while any is unread); enter opens the
// oldest unread message, [ and ] step through the thread, t lists every
// message, and s saves an opened message's files into a folder.
func TestThreadsAndSavingFiles(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), time.Now)
	c.Who = core.Principal{User: "ana", Role: core.RoleReception}
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	p := &threadPort{list: []core.Message{
		{Meta: core.Meta{ID: "a2", CreatedAt: at.Add(3 * time.Hour)}, From: "okafor", To: []string{"ana"}, Subject: "Re: Bloods", Body: "Second answer", ReplyTo: "a1"},
		{Meta: core.Meta{ID: "x1", CreatedAt: at.Add(2 * time.Hour)}, From: "lind", To: []string{"ana"}, Subject: "Gloves", Body: "Size M", ReadBy: []string{"ana"}},
		{Meta: core.Meta{ID: "a1", CreatedAt: at.Add(time.Hour)}, From: "okafor", To: []string{"ana"}, Subject: "Re: Bloods", Body: "First answer\nmore", ReplyTo: "q", ReadBy: []string{"ana"}},
		{Meta: core.Meta{ID: "q", CreatedAt: at}, From: "ana", To: []string{"okafor"}, Subject: "Bloods", Body: "Any news?",
			Attachments: []core.AttachmentInfo{{ID: "f1", FileName: "bloods.pdf", MIMEType: "application/pdf", SizeBytes: 10}}},
	}}
	s := New(c, p, ui.Route{})
	s.SetSize(100, 30)
	do(s, s.Init())
	v := s.View()
	if !strings.Contains(v, "NEW") || !strings.Contains(v, "Bloods (3)") || strings.Count(v, "Bloods") != 1 || !strings.Contains(v, "Gloves") {
		t.Fatalf("threads:\n%s", v)
	}
	press(s, tea.KeyMsg{Type: tea.KeyEnter})
	if v := s.View(); !strings.Contains(v, "Second answer") || !strings.Contains(v, "Thread, 3 messages") || !strings.Contains(v, "First answer") || strings.Contains(v, "more") {
		t.Fatalf("opened thread:\n%s", v)
	}
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[")})
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[")})
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[")})
	if got := p.opened; len(got) != 3 || got[0] != "a2" || got[1] != "a1" || got[2] != "q" {
		t.Fatalf("opened %v", got)
	}
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
	if !s.Capturing() {
		t.Fatal("s on a message with a file does not ask for a folder")
	}
	for _, r := range "/tmp/x" {
		press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	press(s, tea.KeyMsg{Type: tea.KeyEnter})
	if p.saved != "q into /tmp/x" || !strings.Contains(s.View(), "Saved 1 file(s): /tmp/x/bloods.pdf") {
		t.Fatalf("saved %q:\n%s", p.saved, s.View())
	}
	press(s, tea.KeyMsg{Type: tea.KeyEsc})
	press(s, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")})
	if v := s.View(); strings.Count(v, "Bloods") != 3 {
		t.Fatalf("all messages:\n%s", v)
	}
}
