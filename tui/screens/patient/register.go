package patient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The text fields of the registration form, by the name core's validation
// uses for them.
var registerFields = []struct{ name, label, hint string }{
	{"name", "Name", "full name"},
	{"dob", "Date of birth", "e.g. 1984-03-27"},
	{"phone", "Phone", "e.g. +44 20 7946 0000"},
	{"email", "E-mail", "e.g. name@example.org"},
	{"sex", "Sex", "female, male, other or unknown"},
	{"address", "Address", "street, town"},
	{"emergency_contact", "Emergency", "name and phone"},
	{"insurer_name", "Insurer", "insurance company"},
	{"insurance_number", "Insurance no.", "member number"},
}

// consentLabels name the consent flags, in the order of the checkboxes.
var consentLabels = []string{"SMS reminders", "E-mail", "Telemedicine", "Data sharing"}

// Form registers a patient, or edits one. Each field is checked by core's
// validation as it is typed; before registering, a probable duplicate
// (same name and date of birth) is shown and must be confirmed.
type Form struct {
	ui.Base
	port Port
	// was is the record being edited; its ID is empty when registering.
	was     core.Patient
	edited  bool
	inputs  []ui.Field
	touched []bool
	consent [4]bool
	focus   int // text fields first, then the consent boxes
	invalid *core.ValidationError
	dups    []core.Patient
	busy    bool
	err     string
}

// NewRegister opens the form for a new patient, filling in what was
// searched for (r.Query).
func NewRegister(c *ui.Shared, p Port, r ui.Route) *Form {
	s := newForm(c, p)
	query := strings.TrimSpace(r.Query)
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

// NewEdit opens the form on r.Patient's details.
func NewEdit(c *ui.Shared, p Port, r ui.Route) *Form {
	s := newForm(c, p)
	s.was = r.Patient
	v := r.Patient
	for i, val := range []string{v.Name, string(v.DOB), v.Phone, v.Email, v.Sex, v.Address, v.EmergencyContact, v.InsurerName, v.InsuranceNumber} {
		s.inputs[i].SetValue(val)
	}
	s.consent = [4]bool{v.Consent.SMS, v.Consent.Email, v.Consent.Telemedicine, v.Consent.DataSharing}
	s.validate()
	return s
}

func newForm(c *ui.Shared, p Port) *Form {
	s := &Form{Base: ui.NewBase(c), port: p, touched: make([]bool, len(registerFields))}
	for _, f := range registerFields {
		s.inputs = append(s.inputs, ui.NewField(32, f.hint))
	}
	return s
}

// Init waits for typing.
func (s *Form) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *Form) Title() string {
	if s.was.ID != "" {
		return "Edit patient"
	}
	return "New patient"
}

// Dirty is set once anything was typed or ticked and not yet saved.
func (s *Form) Dirty() bool { return s.edited }

// Busy is set while checking duplicates or saving.
func (s *Form) Busy() bool { return s.busy }

// Capturing is set while a text field has focus.
func (s *Form) Capturing() bool { return s.focus < len(s.inputs) }

// patient is the record the form describes.
func (s *Form) patient() core.Patient {
	v := func(i int) string { return strings.TrimSpace(s.inputs[i].Value()) }
	dob := core.Date(v(1))
	if d, err := core.ParseDate(v(1)); err == nil {
		dob = d
	}
	meta := s.was.Meta
	if meta.ID == "" {
		meta.CreatedAt = s.S.Now()
	}
	return core.Patient{
		Meta: meta,
		Name: v(0), DOB: dob, Phone: v(2), Email: v(3), Sex: strings.ToLower(v(4)),
		Address: v(5), EmergencyContact: v(6), InsurerName: v(7), InsuranceNumber: v(8),
		Consent: core.ConsentFlags{SMS: s.consent[0], Email: s.consent[1], Telemedicine: s.consent[2], DataSharing: s.consent[3]},
	}
}

// validate runs core's checks on the form as it stands.
func (s *Form) validate() {
	p := s.patient()
	s.invalid = nil
	if err := p.Validate(); err != nil {
		errors.As(err, &s.invalid)
	}
}

// Update handles typing, moving between fields and saving.
func (s *Form) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dupMsg:
		s.busy = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		if len(msg.dups) > 0 {
			s.dups = msg.dups
			return nil
		}
		return s.save()
	case savedMsg:
		return s.onSaved(msg)
	case tea.KeyMsg:
		if s.busy {
			return nil
		}
		return s.key(msg)
	}
	return nil
}

// onSaved shows the record saved: a new patient's in place of the form,
// an edited one's by going back to it.
func (s *Form) onSaved(msg savedMsg) tea.Cmd {
	s.busy = false
	if msg.err != nil {
		s.err = s.S.Describe(msg.err)
		return nil
	}
	s.edited = false
	s.S.Wrote()
	name := ui.Text(msg.patient.Name)
	if s.was.ID != "" {
		return s.S.Go(ui.Route{Nav: ui.NavBack, Patient: msg.patient, Flash: "Saved " + name + "."})
	}
	return s.S.Go(ui.Route{Nav: ui.NavReplace, Page: ui.PagePatient, Patient: msg.patient, Flash: "Registered " + name + "."})
}

func (s *Form) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	n := len(s.inputs) + len(s.consent)
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
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
			s.edited = true
		}
	default:
		if s.inputs[s.focus].Update(k) {
			s.touched[s.focus] = true
			s.dups, s.err, s.edited = nil, "", true
			s.validate()
		}
	}
	return nil
}

// leave marks the focused field as visited, so its problems show.
func (s *Form) leave() {
	if s.focus < len(s.inputs) {
		s.touched[s.focus] = true
	}
}

// submit checks every field, then asks about duplicates once, then saves.
func (s *Form) submit() tea.Cmd {
	for i := range s.touched {
		s.touched[i] = true
	}
	s.validate()
	if s.invalid != nil {
		s.err = "Please correct the fields marked above."
		return nil
	}
	s.busy, s.err = true, ""
	if s.dups != nil || s.was.ID != "" {
		return saveCmd(s.port, s.ID(), s.patient())
	}
	p := s.patient()
	return duplicatesCmd(s.port, s.ID(), p.Name, p.DOB)
}

// save registers the patient.
func (s *Form) save() tea.Cmd {
	s.busy = true
	return saveCmd(s.port, s.ID(), s.patient())
}

// View draws the form with each visited field's problem under it.
func (s *Form) View() string {
	st := s.S.Styles
	lines := []string{""}
	for i, f := range registerFields {
		lines = append(lines, ui.FormRow(st, f.label, s.inputs[i].View(st, s.focus == i), s.focus == i))
		if msg := s.problem(i); msg != "" {
			wrapped := ansi.Wordwrap(msg, max(20, s.Width-ui.LabelWidth-4), " ")
			lines = append(lines, st.Error.Render(ui.Indent(wrapped, strings.Repeat(" ", ui.LabelWidth+2))))
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
func (s *Form) problem(i int) string {
	if !s.touched[i] || s.invalid == nil {
		return ""
	}
	name := registerFields[i].name
	if msg := s.invalid.For(name); msg != "" {
		return core.Sentence(core.FieldLabel(name) + " " + msg)
	}
	return ""
}

// footer is the duplicate warning, the error, or the spinner.
func (s *Form) footer() []string {
	st := s.S.Styles
	switch {
	case s.busy:
		return []string{"", s.S.Spinner() + " Saving…"}
	case s.err != "":
		return []string{"", st.Error.Render(s.err)}
	case len(s.dups) > 0:
		d := s.dups[0]
		more := ""
		if len(s.dups) > 1 {
			more = fmt.Sprintf(" and %d more", len(s.dups)-1)
		}
		return []string{"",
			st.Warning.Render(fmt.Sprintf("Probably already registered: %s, born %s, phone %s%s.", ui.Text(d.Name), ui.Text(string(d.DOB)), ui.OrDash(ui.Text(d.Phone)), more)),
			st.Warning.Render("Press enter again to register anyway, or esc and search for them."),
		}
	}
	return nil
}

// ShortHelp is the form's line of keys.
func (s *Form) ShortHelp() []key.Binding {
	k := s.S.Keys
	out := []key.Binding{k.NextField, ui.WithHelp(k.Submit, "enter", "save")}
	if s.focus >= len(s.inputs) {
		out = append(out, k.Toggle)
	}
	return out
}

// FullHelp lists every key of the form.
func (s *Form) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.NextField, k.PrevField, k.Toggle, ui.WithHelp(k.Submit, "enter", "save")}}
}
