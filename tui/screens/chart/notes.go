package chart

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// draftMsg is the result of saving the draft at change number seq; leave
// closes the editor.
type draftMsg struct {
	ui.Envelope
	seq   int
	draft core.NoteDraft
	leave bool
	err   error
}

// autosaveMsg asks to save the draft if change number seq is still the
// newest.
type autosaveMsg struct {
	ui.Envelope
	seq int
}

// Keys of the notes tab.
var (
	keyWrite    = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write note"))
	keyAddendum = key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "addendum"))
)

// entry is one line of the notes list: a draft of the user's, or a
// signed note.
type entry struct {
	draft *core.NoteDraft
	note  *core.Note
}

// entries are the user's drafts, then the signed notes, newest first.
func (s *Screen) entries() []entry {
	var out []entry
	for i := range s.chart.Drafts {
		out = append(out, entry{draft: &s.chart.Drafts[i]})
	}
	for i := range s.chart.Notes {
		out = append(out, entry{note: &s.chart.Notes[i]})
	}
	return out
}

func saveDraftCmd(p Port, to, seq int, d core.NoteDraft, leave bool) tea.Cmd {
	return func() tea.Msg {
		out, err := p.SaveDraft(d)
		return draftMsg{Envelope: ui.Envelope{To: to}, seq: seq, draft: out, leave: leave, err: err}
	}
}

// signCmd saves the draft as typed and signs it.
func signCmd(p Port, to int, d core.NoteDraft) tea.Cmd {
	return saveCmd(to, "Note signed.", func() error {
		saved, err := p.SaveDraft(d)
		if err != nil {
			return err
		}
		_, err = p.SignNote(saved.ID)
		return err
	})
}

// notesKey handles the notes tab's keys.
func (s *Screen) notesKey(k tea.KeyMsg) tea.Cmd {
	list := s.entries()
	switch {
	case key.Matches(k, keyWrite) && s.S.Can(core.ActCreate, core.KindNoteDraft):
		d := core.NoteDraft{PatientID: s.patientID, AppointmentID: s.appt}
		if len(s.chart.Drafts) > 0 {
			d = s.chart.Drafts[0]
		}
		return s.openEditor(newNoteEditor(s.S.Styles, d))
	case key.Matches(k, s.S.Keys.Open) && s.noteSel < len(list) && list[s.noteSel].draft != nil:
		return s.openEditor(newNoteEditor(s.S.Styles, *list[s.noteSel].draft))
	case key.Matches(k, keyAddendum) && s.noteSel < len(list) && list[s.noteSel].note != nil && s.S.Can(core.ActCreate, core.KindAddendum):
		return s.openEditor(newAddendumEditor(s.S.Styles, list[s.noteSel].note.ID))
	}
	return nil
}

// openEditor shows e in the body.
func (s *Screen) openEditor(e *editor) tea.Cmd {
	s.edit = e
	e.setSize(s.Width, s.bodyHeight())
	return nil
}

// editorKey handles a key while the editor is open.
func (s *Screen) editorKey(k tea.KeyMsg) tea.Cmd {
	e := s.edit
	if e.signing {
		e.signing = false
		if k.String() != "y" && k.String() != "Y" {
			return nil
		}
		s.loading = true
		return signCmd(s.port, s.ID(), e.current())
	}
	switch {
	case key.Matches(k, keyLeave):
		if cur := e.current(); e.addendumTo != "" || (e.draft.ID == "" && cur.Empty()) {
			s.edit = nil
			return nil
		}
		return s.saveDraft(true)
	case key.Matches(k, keySaveDraft):
		if e.addendumTo != "" {
			note, text := e.addendumTo, e.values()[0]
			s.loading = true
			return saveCmd(s.ID(), "Addendum added.", func() error { _, err := s.port.AddAddendum(note, text); return err })
		}
		return s.saveDraft(false)
	case key.Matches(k, keySign) && e.addendumTo == "":
		e.signing = true
	case key.Matches(k, keyNextPart):
		e.setFocus(e.focus + 1)
	case key.Matches(k, keyPrevPart):
		e.setFocus(e.focus - 1)
	default:
		if e.typeKey(k) && e.addendumTo == "" {
			seq := e.seq
			return s.S.Tick(autosaveAfter, func(_ time.Time) tea.Msg { return autosaveMsg{Envelope: ui.Envelope{To: s.ID()}, seq: seq} })
		}
	}
	return nil
}

// saveDraft saves the editor's draft unless a save is under way; leave
// closes the editor once it is saved.
func (s *Screen) saveDraft(leave bool) tea.Cmd {
	e := s.edit
	if e.saving {
		return nil
	}
	e.saving = true
	return saveDraftCmd(s.port, s.ID(), e.seq, e.current(), leave)
}

// onDraft takes a saved draft back into the editor.
func (s *Screen) onDraft(msg draftMsg) tea.Cmd {
	e := s.edit
	if e == nil {
		return nil
	}
	e.saving = false
	if msg.err != nil {
		e.err = s.S.Describe(msg.err)
		return nil
	}
	e.draft, e.err = msg.draft, ""
	if msg.seq == e.seq {
		e.dirty = false
		e.saved = "Draft saved " + s.S.Clock(s.S.Now()) + "."
	}
	s.S.Wrote()
	if msg.leave {
		s.edit, s.flash = nil, "Draft saved; it is not signed yet."
		return s.load()
	}
	return nil
}

// onAutosave saves the draft when no key came since the tick was asked.
func (s *Screen) onAutosave(msg autosaveMsg) tea.Cmd {
	if s.edit == nil || msg.seq != s.edit.seq || !s.edit.dirty {
		return nil
	}
	return s.saveDraft(false)
}

// notesLines is the user's drafts, then every signed note, newest first,
// with its addenda; the selected one is marked.
func (s *Screen) notesLines() []string {
	st := s.S.Styles
	list := s.entries()
	if len(list) == 0 {
		return []string{st.Subtle.Render("No notes yet.")}
	}
	var out []string
	for i, en := range list {
		mark := "  "
		if i == s.noteSel {
			mark = "> "
		}
		if en.draft != nil {
			d := en.draft
			out = append(out, mark+st.Warning.Render(fmt.Sprintf("DRAFT, not signed  %s", s.S.When(d.UpdatedAt))))
			out = append(out, s.soapLines(d.Subjective, d.Objective, d.Assessment, d.Plan)...)
			out = append(out, "")
			continue
		}
		n := en.note
		out = append(out, mark+st.Bold.Render(s.S.When(n.CreatedAt)+"  "+s.S.DoctorLabel(n.Author)))
		out = append(out, s.soapLines(n.Subjective, n.Objective, n.Assessment, n.Plan)...)
		for _, a := range s.chart.AddendaOf(n.ID) {
			out = append(out, s.wrap("Addendum "+s.S.When(a.CreatedAt)+" "+a.Author+": "+a.Text, "    ")...)
		}
		out = append(out, "")
	}
	return out
}

// soapLines are the parts of a note that have text, labelled S, O, A, P.
func (s *Screen) soapLines(parts ...string) []string {
	var out []string
	for i, p := range parts {
		if p != "" {
			out = append(out, s.wrap(string("SOAP"[i])+": "+p, "    ")...)
		}
	}
	return out
}
