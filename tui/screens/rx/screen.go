package rx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// fields are the form's fields: label and hint.
var fields = []struct{ label, hint string }{
	{"Drug", "generic name, e.g. amoxicillin"},
	{"Dose", "one dose with unit, e.g. 500 mg"},
	{"Route", "oral, iv, im, sc, topical, inhaled, rectal, sublingual"},
	{"Frequency", "e.g. 3 times a day, every 8 hours"},
	{"Days", "how many days (blank: until stopped)"},
	{"Quantity", "units to dispense, e.g. 21"},
	{"Refills", "refills allowed, e.g. 0"},
}

// The field numbers.
const (
	fDrug = iota
	fDose
	fRoute
	fFreq
	fDays
	fQty
	fRefills
	fOverride
)

// savedMsg is the result of one attempt to prescribe.
type savedMsg struct {
	ui.Envelope
	rx  core.Prescription
	err error
}

// Screen is the prescription form for one patient.
type Screen struct {
	ui.Base
	port    Port
	patient core.Patient
	inputs  []ui.Field
	focus   int
	// alerts are the safety hits of the last attempt; while there are
	// any, the override field is shown and saving needs its reason.
	alerts []core.Alert
	busy   bool
	err    string
}

// New opens the form for r.Patient.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	s := &Screen{Base: ui.NewBase(c), port: p, patient: r.Patient}
	for _, f := range fields {
		s.inputs = append(s.inputs, ui.NewField(40, f.hint))
	}
	s.inputs = append(s.inputs, ui.NewField(40, "why prescribe despite the alerts"))
	s.inputs[fRoute].SetValue(string(core.RouteOral))
	return s
}

// Init starts nothing: the form waits for typing.
func (s *Screen) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *Screen) Title() string { return "Prescribe" }

// Busy is set while the session checks and saves.
func (s *Screen) Busy() bool { return s.busy }

// Capturing is always set: every letter is typed.
func (s *Screen) Capturing() bool { return true }

// Dirty is set once a drug is typed.
func (s *Screen) Dirty() bool { return strings.TrimSpace(s.inputs[fDrug].Value()) != "" }

// count is the number of fields shown: the override only after alerts.
func (s *Screen) count() int {
	if len(s.alerts) > 0 {
		return fOverride + 1
	}
	return fOverride
}

// value is field i's text, trimmed.
func (s *Screen) value(i int) string { return strings.TrimSpace(s.inputs[i].Value()) }

// prescription is the form as a prescription, or a *core.ValidationError
// for a number that is not one.
func (s *Screen) prescription() (core.Prescription, error) {
	d := core.PrescribedDrug{Drug: s.value(fDrug), Dose: s.value(fDose), Route: core.Route(s.value(fRoute)), Frequency: s.value(fFreq)}
	var bad []core.FieldError
	num := func(i int, into *int) {
		v := s.value(i)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad = append(bad, core.FieldError{Field: strings.ToLower(fields[i].label), Message: "must be a whole number"})
		}
		*into = n
	}
	var days int
	num(fDays, &days)
	num(fQty, &d.Quantity)
	num(fRefills, &d.RefillsAllowed)
	if len(bad) > 0 {
		return core.Prescription{}, &core.ValidationError{Kind: core.KindPrescription, Fields: bad}
	}
	p := core.Prescription{PatientID: s.patient.ID, Medications: []core.PrescribedDrug{d}}
	if days > 0 {
		p.StartDate = s.S.Today()
		p.EndDate = p.StartDate.AddDays(days - 1)
	}
	return p, nil
}

// submit checks and saves; with alerts shown, the override reason goes
// with it.
func (s *Screen) submit() tea.Cmd {
	p, err := s.prescription()
	if err != nil {
		s.err = s.S.Describe(err)
		return nil
	}
	override := ""
	if len(s.alerts) > 0 {
		if override = s.value(fOverride); override == "" {
			s.err = "Give a reason to prescribe despite the alerts, or change the prescription."
			s.focus = fOverride
			return nil
		}
	}
	s.busy, s.err = true, ""
	port, to := s.port, s.ID()
	return func() tea.Msg {
		out, err := port.Prescribe(p, override)
		return savedMsg{Envelope: ui.Envelope{To: to}, rx: out, err: err}
	}
}

// Update handles keys and the result of saving.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		s.busy = false
		var se *core.SafetyError
		switch {
		case errors.As(msg.err, &se):
			s.alerts, s.focus = se.Alerts, fOverride
			s.err = "Not saved: the safety checks found the problems above."
		case msg.err != nil:
			s.err = s.S.Describe(msg.err)
		default:
			s.S.Wrote()
			note := "Prescribed " + ui.Text(msg.rx.Medications[0].Drug) + "."
			if len(msg.rx.Alerts) > 0 {
				note = fmt.Sprintf("Prescribed %s over %d alert(s); the reason is recorded.", ui.Text(msg.rx.Medications[0].Drug), len(msg.rx.Alerts))
			}
			return s.S.Go(ui.Route{Nav: ui.NavBack, Flash: note})
		}
		return nil
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

// key moves between the fields, types, saves or leaves.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case s.busy:
	case k.String() == "ctrl+s", k.String() == "enter" && s.focus == s.count()-1:
		return s.submit()
	case k.String() == "enter", key.Matches(k, keys.NextField):
		s.focus = (s.focus + 1) % s.count()
	case key.Matches(k, keys.PrevField):
		s.focus = (s.focus + s.count() - 1) % s.count()
	default:
		if s.inputs[s.focus].Update(k) && s.focus != fOverride && len(s.alerts) > 0 {
			// The prescription changed: the alerts are those of another one.
			s.alerts, s.err = nil, "Changed: the checks run again when you save."
		}
	}
	return nil
}

// View draws the patient, the fields, the alerts and the override.
func (s *Screen) View() string {
	st := s.S.Styles
	lines := []string{st.Title.Render("Prescribe for " + ui.Text(s.patient.Name)), ""}
	for i := 0; i < fOverride; i++ {
		lines = append(lines, ui.FormRow(st, fields[i].label, s.inputs[i].View(st, i == s.focus), i == s.focus))
	}
	if len(s.alerts) > 0 {
		lines = append(lines, "", st.Error.Bold(true).Render(fmt.Sprintf("!! %d SAFETY ALERT(S)", len(s.alerts))))
		for _, a := range s.alerts {
			lines = append(lines, st.Error.Render(ui.Truncate("!! "+ui.Text(a.String()), max(1, s.Width))))
		}
		lines = append(lines, ui.FormRow(st, "Override", s.inputs[fOverride].View(st, s.focus == fOverride), s.focus == fOverride))
	}
	lines = append(lines, "")
	switch {
	case s.busy:
		lines = append(lines, s.S.Spinner()+" Checking allergies, duplicates, dose and interactions…")
	case s.err != "":
		lines = append(lines, st.Error.Render(ui.Text(s.err)))
	}
	return ui.Fit(strings.Join(lines, "\n"), max(1, s.Width), max(1, s.Height))
}

// ShortHelp is the form's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	save := ui.WithHelp(k.Submit, "ctrl+s", "check and save")
	if len(s.alerts) > 0 {
		save = ui.WithHelp(k.Submit, "ctrl+s", "save with override")
	}
	return []key.Binding{ui.WithHelp(k.NextField, "tab", "next field"), save, ui.WithHelp(k.Back, "esc", "cancel")}
}

// FullHelp is the short help.
func (s *Screen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
