package chart

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
	"medisecure/tui/ui"
)

// autosaveAfter is how long typed text waits before it is saved as a
// draft, so a crash loses at most these seconds of typing.
const autosaveAfter = 3 * time.Second

// soapLabels name the parts of a note in the editor, soapHints say what
// goes in each.
var (
	soapLabels = []string{"Subjective", "Objective", "Assessment", "Plan"}
	soapHints  = []string{"what the patient reports", "examination, measurements, results", "diagnosis or impression", "treatment, tests, follow-up"}
)

// Keys of the editor.
var (
	keySaveDraft = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save draft"))
	keySign      = key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "sign"))
	keyNextPart  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next part"))
	keyPrevPart  = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous part"))
	keyLeave     = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save draft and close"))
)

// editor writes a SOAP note (four parts) or, with one part, an addendum
// to a signed note. A note's text is saved as a draft record when asked,
// when the editor closes and a few seconds after typing stops, so it
// survives a lock, a crash and a restart; signing turns the draft into the
// append-only note.
type editor struct {
	draft core.NoteDraft
	// addendumTo is the signed note an addendum is written for; empty
	// for a note.
	addendumTo core.ID
	areas      []textarea.Model
	focus      int
	// dirty is set when the text changed since the last save; seq
	// numbers the changes so only the newest autosave tick saves.
	dirty   bool
	seq     int
	saving  bool
	signing bool
	err     string
	saved   string
}

// newArea is one multi-line part of the editor, in the screen's styles.
func newArea(st ui.Styles, placeholder string) textarea.Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "  "
	ta.CharLimit = 20000
	ta.Placeholder = placeholder
	plain := textarea.Style{Placeholder: st.Subtle}
	ta.FocusedStyle, ta.BlurredStyle = plain, plain
	ta.Cursor.SetMode(cursor.CursorStatic)
	ta.Cursor.Style = lipgloss.Style{}.Reverse(true)
	ta.KeyMap.Paste.SetEnabled(false) // the server's clipboard is not the user's
	ta.Blur()
	return ta
}

// newNoteEditor opens the editor on a draft (new when it has no ID).
func newNoteEditor(st ui.Styles, d core.NoteDraft) *editor {
	e := &editor{draft: d}
	for i, v := range []string{d.Subjective, d.Objective, d.Assessment, d.Plan} {
		ta := newArea(st, soapHints[i])
		ta.SetValue(v)
		e.areas = append(e.areas, ta)
	}
	e.areas[0].Focus()
	return e
}

// newAddendumEditor opens the editor for an addendum to a signed note.
func newAddendumEditor(st ui.Styles, note core.ID) *editor {
	e := &editor{addendumTo: note, areas: []textarea.Model{newArea(st, "what to add or correct")}}
	e.areas[0].Focus()
	return e
}

// values are the parts' texts.
func (e *editor) values() []string {
	out := make([]string, len(e.areas))
	for i := range e.areas {
		out[i] = e.areas[i].Value()
	}
	return out
}

// current is the draft with the text as typed.
func (e *editor) current() core.NoteDraft {
	d := e.draft
	v := e.values()
	d.Subjective, d.Objective, d.Assessment, d.Plan = v[0], v[1], v[2], v[3]
	return d
}

// setFocus moves the cursor to part i.
func (e *editor) setFocus(i int) {
	e.areas[e.focus].Blur()
	e.focus = (i + len(e.areas)) % len(e.areas)
	e.areas[e.focus].Focus()
}

// setSize shares the height among the parts.
func (e *editor) setSize(w, h int) {
	per := max(1, (h-2)/len(e.areas)-1)
	for i := range e.areas {
		e.areas[i].SetWidth(max(4, w-2))
		e.areas[i].SetHeight(per)
	}
}

// type edits the focused part with k and reports whether the text
// changed.
func (e *editor) typeKey(k tea.KeyMsg) bool {
	before := e.areas[e.focus].Value()
	e.areas[e.focus], _ = e.areas[e.focus].Update(k)
	if e.areas[e.focus].Value() == before {
		return false
	}
	e.dirty, e.saved = true, ""
	e.seq++
	return true
}

// view draws the parts under their labels.
func (e *editor) view(st ui.Styles, w int) []string {
	title := "Note (draft)"
	if e.addendumTo != "" {
		title = "Addendum to the note of " + e.addendumTo.Short()
	}
	out := []string{st.Bold.Render(title)}
	for i := range e.areas {
		label := soapLabels[i]
		if e.addendumTo != "" {
			label = "Addendum"
		}
		if i == e.focus {
			out = append(out, st.Focused.Render("> "+label))
		} else {
			out = append(out, st.Label.Render("  "+label))
		}
		out = append(out, strings.Split(e.areas[i].View(), "\n")...)
	}
	switch {
	case e.signing:
		out = append(out, st.Warning.Render(ui.Truncate("Sign this note? It can then only be corrected by an addendum. y sign, any other key no", w)))
	case e.err != "":
		out = append(out, st.Error.Render(ui.Text(e.err)))
	case e.saved != "":
		out = append(out, st.OK.Render(e.saved))
	case e.dirty:
		out = append(out, st.Subtle.Render("not saved yet"))
	}
	return out
}

// help is the editor's keys.
func (e *editor) help() []key.Binding {
	if e.addendumTo != "" {
		return []key.Binding{ui.WithHelp(keySaveDraft, "ctrl+s", "add addendum"), ui.WithHelp(keyLeave, "esc", "discard")}
	}
	return []key.Binding{keyNextPart, keySaveDraft, keySign, keyLeave}
}
