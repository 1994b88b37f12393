package chart

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/tui/ui"
)

// form is a few labelled one-line fields drawn in the chart's body: tab
// and arrows move between them, enter on the last (or ctrl+s anywhere)
// saves, esc leaves without saving.
type form struct {
	title string
	// intro is shown between the title and the fields.
	intro  []string
	labels []string
	inputs []ui.Field
	focus  int
	err    string
	// save makes the Cmd that stores the values, in field order.
	save func(values []string) tea.Cmd
}

// formField is a label and the hint an empty field shows.
type formField struct{ label, hint string }

// newForm makes a form of fields; save receives their values.
func newForm(title string, save func([]string) tea.Cmd, fields ...formField) *form {
	f := &form{title: title, save: save}
	for _, fl := range fields {
		f.labels = append(f.labels, fl.label)
		f.inputs = append(f.inputs, ui.NewField(40, fl.hint))
	}
	return f
}

// values are the fields' texts, trimmed.
func (f *form) values() []string {
	out := make([]string, len(f.inputs))
	for i := range f.inputs {
		out[i] = strings.TrimSpace(f.inputs[i].Value())
	}
	return out
}

// key handles one key: it reports whether the form is finished (saved or
// left) and the Cmd to run.
func (f *form) key(k tea.KeyMsg, keys ui.KeyMap) (bool, tea.Cmd) {
	switch {
	case key.Matches(k, keys.Back):
		return true, nil
	case k.String() == "ctrl+s", k.String() == "enter" && f.focus == len(f.inputs)-1:
		return false, f.save(f.values())
	case k.String() == "enter", key.Matches(k, keys.NextField):
		f.focus = (f.focus + 1) % len(f.inputs)
	case key.Matches(k, keys.PrevField):
		f.focus = (f.focus + len(f.inputs) - 1) % len(f.inputs)
	default:
		f.inputs[f.focus].Update(k)
	}
	return false, nil
}

// dirty reports whether anything was typed.
func (f *form) dirty() bool {
	for i := range f.inputs {
		if f.inputs[i].Value() != "" {
			return true
		}
	}
	return false
}

// view draws the form's lines.
func (f *form) view(st ui.Styles) []string {
	out := []string{st.Bold.Render(f.title), ""}
	for _, l := range f.intro {
		out = append(out, st.Warning.Render(l))
	}
	if len(f.intro) > 0 {
		out = append(out, "")
	}
	for i := range f.inputs {
		out = append(out, ui.FormRow(st, f.labels[i], f.inputs[i].View(st, i == f.focus), i == f.focus))
	}
	out = append(out, "")
	if f.err != "" {
		out = append(out, st.Error.Render(ui.Text(f.err)))
	}
	out = append(out, st.Subtle.Render("enter next/save · ctrl+s save · esc cancel"))
	return out
}
