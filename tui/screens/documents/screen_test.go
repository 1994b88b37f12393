package documents

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"medisecure/core"
	"medisecure/tui/ui"
)

const patient core.ID = "0190aa000000000000000002"

// port is a patient with three documents; the file of the imaging one
// has not arrived. ReadText reports two pages, waiting on gate between
// them when it is set.
type port struct {
	docs     []core.Document
	reviewed []core.ID
	added    []string
	read     []core.ID
	gate     chan struct{}
}

func newPort() *port {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	return &port{docs: []core.Document{
		{Meta: core.Meta{ID: "d3", CreatedAt: at}, PatientID: patient, Type: core.DocLab, Title: "Electrolytes\x1b[2J", Date: "2026-11-20", MIMEType: core.MIMEPNG, SizeBytes: 48_000,
			TextState: core.TextRead, ExtractedText: "CITY LABORATORY\nSodium 139 mmol/L\nPotassium 6.1 mmol/L  HIGH\nComment: repeat within a week.", UploadedBy: "dr.okafor"},
		{Meta: core.Meta{ID: "d2", CreatedAt: at.Add(-time.Hour)}, PatientID: patient, Type: core.DocLetter, Title: "Referral to cardiology", Date: "2026-11-18", MIMEType: core.MIMEPDF, SizeBytes: 120_000,
			TextState: core.TextRead, ExtractedText: "Dear colleague,", UploadedBy: "dr.okafor", ReviewedBy: "dr.okafor", ReviewedAt: at},
		{Meta: core.Meta{ID: "d1", CreatedAt: at.Add(-2 * time.Hour)}, PatientID: patient, Type: core.DocImaging, Title: "Chest X-ray", Date: "2026-10-02", MIMEType: core.MIMEJPEG, SizeBytes: 2_400_000,
			TextState: core.TextPending, UploadedBy: "dr.lee"},
	}}
}

func (p *port) Documents(core.ID, string) ([]core.Document, error) {
	return append([]core.Document(nil), p.docs...), nil
}

func (p *port) Document(id core.ID) (core.Document, error) {
	for _, d := range p.docs {
		if d.ID == id {
			return d, nil
		}
	}
	return core.Document{}, errors.New("store: not found: document")
}

func (p *port) AddDocumentFile(pat core.ID, t core.DocumentType, title string, data []byte) (core.Document, error) {
	if string(data) == "not a scan" {
		return core.Document{}, fmt.Errorf("%w: the file is not a PDF, PNG, JPEG or TIFF", core.ErrFileRefused)
	}
	p.added = append(p.added, title)
	d := core.Document{Meta: core.Meta{ID: "d4", CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}, PatientID: pat, Type: t, Title: title,
		MIMEType: core.MIMEPDF, SizeBytes: int64(len(data)), TextState: core.TextPending, UploadedBy: "dr.okafor"}
	p.docs = append([]core.Document{d}, p.docs...)
	return d, nil
}

func (p *port) ReviewDocument(id core.ID) (core.Document, error) {
	p.reviewed = append(p.reviewed, id)
	for i := range p.docs {
		if p.docs[i].ID == id {
			p.docs[i].ReviewedBy, p.docs[i].ReviewedAt = "dr.okafor", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		}
	}
	return p.Document(id)
}

func (p *port) ReadText(id core.ID, progress func(done, total int)) (core.Document, error) {
	p.read = append(p.read, id)
	progress(0, 2)
	if p.gate != nil {
		<-p.gate
	}
	progress(1, 2)
	progress(2, 2)
	d, err := p.Document(id)
	d.TextState, d.ExtractedText = core.TextRead, "Discharge summary"
	return d, err
}

func (p *port) HasContent(id core.ID) bool { return id != "d1" }

// shared is the kit with ASCII styles for a doctor.
func shared() *ui.Shared {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(r), func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) })
	c.Who, c.Loc = core.Principal{User: "dr.okafor", Role: core.RoleDoctor}, time.UTC
	return c
}

// do runs cmd and feeds its message back, as the runtime would, to the end.
func do(s *Screen, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			do(s, c)
		}
		return
	}
	if msg != nil {
		do(s, s.Update(msg))
	}
}

// keys presses each key of a space-separated list.
func keys(s *Screen, list string) {
	for _, k := range strings.Fields(list) {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		do(s, s.Update(msg))
	}
}

// typeText types text into the focused field.
func typeText(s *Screen, text string) {
	for _, r := range text {
		do(s, s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
	}
}

func open(t *testing.T, p *port, w, h int) *Screen {
	t.Helper()
	s := New(shared(), p, ui.Route{PatientID: patient, Patient: core.Patient{Name: "Zoë Lindqvist"}})
	s.SetSize(w, h)
	do(s, s.Init())
	return s
}

// fit fails when a view is wider or taller than its size.
func fit(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("%d lines at %dx%d", len(lines), w, h)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("line wider than %d: %q", w, l)
		}
	}
}

// The list, a document's text and the add form at 80x24 and 120x40
// (go test ./tui/screens/documents -update).
func TestGolden(t *testing.T) {
	for _, sc := range []struct {
		name  string
		steps string
	}{
		{"list", ""},
		{"text", "enter"},
		{"add", "a"},
	} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				p := newPort()
				s := open(t, p, sz[0], sz[1])
				keys(s, sc.steps)
				v := s.View()
				fit(t, v, sz[0], sz[1])
				if strings.Contains(v, "\x1b") {
					t.Error("escape sequences in an ASCII view (a title drove the terminal)")
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// Documents had no screen. The list marks the unreviewed NEW; m marks the
// selected one reviewed; enter shows its text; a file whose content has
// not arrived says so.
func TestListReviewAndText(t *testing.T) {
	p := newPort()
	s := open(t, p, 100, 30)
	v := s.View()
	for _, want := range []string{"Documents (3, 2 new)", "NEW  2026-11-20  lab", "Referral to cardiology", "file not here yet"} {
		if !strings.Contains(v, want) {
			t.Errorf("list lacks %q:\n%s", want, v)
		}
	}
	if len(p.read) != 0 {
		t.Errorf("read the text of %v, whose files are not here or whose text is read", p.read)
	}
	keys(s, "m")
	if len(p.reviewed) != 1 || p.reviewed[0] != "d3" || !strings.Contains(s.View(), "Documents (3, 1 new)") {
		t.Fatalf("after m: reviewed %v\n%s", p.reviewed, s.View())
	}
	keys(s, "enter")
	if v := s.View(); !strings.Contains(v, "Potassium 6.1 mmol/L  HIGH") || !strings.Contains(v, "reviewed by dr.okafor") {
		t.Fatalf("text:\n%s", v)
	}
	keys(s, "esc")
	if !strings.Contains(s.View(), "Documents (3, 1 new)") {
		t.Fatal("esc did not go back to the list")
	}
}

// A file added by its typed path is read in the background: the list
// shows the page being read while the screen still answers keys, then the
// text; a refused file says why in one sentence and adds nothing.
func TestAddReadsTextInTheBackground(t *testing.T) {
	dir := t.TempDir()
	scan := filepath.Join(dir, "discharge.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4 a scan"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "notes.pdf")
	if err := os.WriteFile(bad, []byte("not a scan"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newPort()
	p.gate = make(chan struct{})
	s := open(t, p, 100, 30)
	keys(s, "a")
	if !s.Capturing() {
		t.Fatal("the add form does not take typed letters")
	}
	typeText(s, bad)
	keys(s, "enter")
	if v := s.View(); !strings.Contains(v, "not a PDF, PNG, JPEG or TIFF") || strings.Contains(v, "core:") || len(p.added) != 0 {
		t.Fatalf("a refused file:\n%s", v)
	}
	keys(s, "esc a")
	typeText(s, scan)
	keys(s, "tab space tab") // referral
	typeText(s, "Discharge summary")
	cmd := s.Update(tea.KeyMsg{Type: tea.KeyEnter})
	read := s.Update(cmd()) // the document is added; its text read starts
	if len(p.added) != 1 || p.added[0] != "Discharge summary" || s.form != nil {
		t.Fatalf("added %v, form open %v", p.added, s.form != nil)
	}
	next := s.Update(read()) // page 0 of 2
	if v := s.View(); !strings.Contains(v, "reading text: page 1 of 2") || !strings.Contains(v, "referral") {
		t.Fatalf("while reading:\n%s", v)
	}
	keys(s, "j") // the screen answers while the text is read
	if s.sel != 1 {
		t.Errorf("the selection did not move while reading")
	}
	close(p.gate)
	do(s, next)
	if v := s.View(); !strings.Contains(v, "text read") || strings.Contains(v, "reading text") {
		t.Fatalf("after reading:\n%s", v)
	}
	if len(p.read) != 1 || p.read[0] != "d4" {
		t.Errorf("read %v, want d4", p.read)
	}
}

// A nurse may read but not add or review: the keys are neither offered
// nor obeyed.
func TestNurseReadsOnly(t *testing.T) {
	p := newPort()
	c := shared()
	c.Who = core.Principal{User: "nurse", Role: core.RoleNurse}
	s := New(c, p, ui.Route{PatientID: patient})
	s.SetSize(100, 30)
	do(s, s.Init())
	keys(s, "a m")
	if s.form != nil || len(p.reviewed) != 0 {
		t.Fatalf("a nurse added or reviewed: form %v, reviewed %v", s.form != nil, p.reviewed)
	}
	for _, b := range s.ShortHelp() {
		if b.Help().Key == "a" || b.Help().Key == "m" {
			t.Errorf("offered %q to a nurse", b.Help().Key)
		}
	}
}

// Every size draws without a panic and no wider than it was given (the
// root crops the height).
func TestEverySize(t *testing.T) {
	for _, steps := range []string{"", "enter", "a"} {
		s := open(t, newPort(), 80, 24)
		keys(s, steps)
		for w := 1; w <= 130; w += 7 {
			for h := 1; h <= 45; h += 4 {
				s.SetSize(w, h)
				fit(t, s.View(), w, 1000)
			}
		}
	}
}
