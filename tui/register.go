package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
)

// The text fields of the registration form, by the name core's validation
// uses for them.
var registerFields = []struct{ name, label, hint string }{
	{"name", "Name", "full name"},
	{"dob", "Date of birth", "e.g. 1984-03-27"},
	{"phone", "Phone", "e.g. +44 20 7946 0000"},
	{"email", "E-mail", "e.g. name@example.org"},
	{"sex", "Sex", "female, male, other or unknown"},
}

// consentLabels name the consent flags, in the order of the checkboxes.
var consentLabels = []string{"SMS reminders", "E-mail", "Telemedicine", "Data sharing"}

// registerScreen registers a patient. Each field is checked by core's
// validation as it is typed; before saving, a probable duplicate (same
// name and date of birth) is shown and must be confirmed.
type registerScreen struct {
	base
	inputs  []field
	touched []bool
	consent [4]bool
	focus   int // text fields first, then the consent boxes
	invalid *core.ValidationError
	dups    []core.Patient
	busy    bool
	err     string
}

// newRegister opens the form, filling in what was searched for.
func newRegister(c *workspace, query string) *registerScreen {
	s := &registerScreen{base: newBase(c), touched: make([]bool, len(registerFields))}
	for _, f := range registerFields {
		s.inputs = append(s.inputs, newField(32, f.hint))
	}
	query = strings.TrimSpace(query)
	switch d, err := core.ParseDate(query); {
	case query == "":
	case err == nil:
		s.inputs[1].SetValue(string(d))
	case core.ValidPhone(query):
		s.inputs[2].SetValue(query)
	default:
		s.inputs[0].SetValue(query)
	}
	s.validate()
	return s
}

// Init waits for typing.
func (s *registerScreen) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *registerScreen) Title() string { return "New patient" }

// Busy is set while checking duplicates or saving.
func (s *registerScreen) Busy() bool { return s.busy }

// Capturing is set while a text field has focus.
func (s *registerScreen) Capturing() bool { return s.focus < len(s.inputs) }

// patient is the record the form describes.
func (s *registerScreen) patient() core.Patient {
	v := func(i int) string { return strings.TrimSpace(s.inputs[i].Value()) }
	dob := core.Date(v(1))
	if d, err := core.ParseDate(v(1)); err == nil {
		dob = d
	}
	return core.Patient{
		Meta: core.Meta{CreatedAt: s.c.now()},
		Name: v(0), DOB: dob, Phone: v(2), Email: v(3), Sex: strings.ToLower(v(4)),
		Consent: core.ConsentFlags{SMS: s.consent[0], Email: s.consent[1], Telemedicine: s.consent[2], DataSharing: s.consent[3]},
	}
}

// validate runs core's checks on the form as it stands.
func (s *registerScreen) validate() {
	p := s.patient()
	s.invalid = nil
	if err := p.Validate(); err != nil {
		errors.As(err, &s.invalid)
	}
}

// Update handles typing, moving between fields and saving.
func (s *registerScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dupMsg:
		s.busy = false
		if msg.err != nil {
			s.err = describe(msg.err)
			return nil
		}
		if len(msg.dups) > 0 {
			s.dups = msg.dups
			return nil
		}
		return s.save()
	case addedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = describe(msg.err)
			return nil
		}
		next := newPatientScreen(s.c, msg.patient)
		next.flash = "Registered " + msg.patient.Name + "."
		return s.c.replace(next)
	case tea.KeyMsg:
		if s.busy {
			return nil
		}
		return s.key(msg)
	}
	return nil
}

func (s *registerScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	n := len(s.inputs) + len(s.consent)
	switch {
	case key.Matches(k, keys.Back):
		return s.c.back()
	case key.Matches(k, keys.Submit):
		return s.submit()
	case key.Matches(k, keys.NextField):
		s.leave()
		s.focus = (s.focus + 1) % n
	case key.Matches(k, keys.PrevField):
		s.leave()
		s.focus = (s.focus + n - 1) % n
	case s.focus >= len(s.inputs):
		if key.Matches(k, keys.Toggle) {
			i := s.focus - len(s.inputs)
			s.consent[i] = !s.consent[i]
		}
	default:
		if s.inputs[s.focus].Update(k) {
			s.touched[s.focus] = true
			s.dups, s.err = nil, ""
			s.validate()
		}
	}
	return nil
}

// leave marks the focused field as visited, so its problems show.
func (s *registerScreen) leave() {
	if s.focus < len(s.inputs) {
		s.touched[s.focus] = true
	}
}

// submit checks every field, then asks about duplicates once, then saves.
func (s *registerScreen) submit() tea.Cmd {
	for i := range s.touched {
		s.touched[i] = true
	}
	s.validate()
	if s.invalid != nil {
		s.err = "Please correct the fields marked above."
		return nil
	}
	s.busy, s.err = true, ""
	if s.dups != nil {
		return addPatientCmd(s.c.sess, s.id, s.patient())
	}
	p := s.patient()
	return duplicatesCmd(s.c.sess, s.id, p.Name, p.DOB)
}

// save registers the patient.
func (s *registerScreen) save() tea.Cmd {
	s.busy = true
	return addPatientCmd(s.c.sess, s.id, s.patient())
}

// View draws the form with each visited field's problem under it.
func (s *registerScreen) View() string {
	st := s.c.styles
	lines := []string{""}
	for i, f := range registerFields {
		lines = append(lines, formRow(st, f.label, s.inputs[i].View(st, s.focus == i), s.focus == i))
		if msg := s.problem(i); msg != "" {
			wrapped := ansi.Wordwrap(msg, max(20, s.width-labelWidth-4), " ")
			lines = append(lines, st.Error.Render(indent(wrapped, strings.Repeat(" ", labelWidth+2))))
		}
	}
	lines = append(lines, "", "  "+st.Bold.Render("Consent"))
	for i, label := range consentLabels {
		box := "[ ] "
		if s.consent[i] {
			box = "[x] "
		}
		mark := "  "
		if s.focus == len(s.inputs)+i {
			mark = "> "
			label = st.Focused.Render(label)
		}
		lines = append(lines, mark+"  "+box+label)
	}
	return strings.Join(append(lines, s.footer()...), "\n")
}

// problem is a visited field's validation message.
func (s *registerScreen) problem(i int) string {
	if !s.touched[i] || s.invalid == nil {
		return ""
	}
	name := registerFields[i].name
	if msg := s.invalid.For(name); msg != "" {
		return sentence(fieldLabel(name) + " " + msg)
	}
	return ""
}

// footer is the duplicate warning, the error, or the spinner.
func (s *registerScreen) footer() []string {
	st := s.c.styles
	switch {
	case s.busy:
		return []string{"", s.c.spinner() + " Saving…"}
	case s.err != "":
		return []string{"", st.Error.Render(s.err)}
	case len(s.dups) > 0:
		d := s.dups[0]
		more := ""
		if len(s.dups) > 1 {
			more = fmt.Sprintf(" and %d more", len(s.dups)-1)
		}
		return []string{"",
			st.Warning.Render(fmt.Sprintf("Probably already registered: %s, born %s, phone %s%s.", d.Name, d.DOB, orDash(d.Phone), more)),
			st.Warning.Render("Press enter again to register anyway, or esc and search for them."),
		}
	}
	return nil
}

// orDash is s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ShortHelp is the form's line of keys.
func (s *registerScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	out := []key.Binding{k.NextField, withHelp(k.Submit, "enter", "save")}
	if s.focus >= len(s.inputs) {
		out = append(out, k.Toggle)
	}
	return out
}

// FullHelp lists every key of the form.
func (s *registerScreen) FullHelp() [][]key.Binding {
	k := s.c.keys
	return [][]key.Binding{{k.NextField, k.PrevField, k.Toggle, withHelp(k.Submit, "enter", "save")}}
}
