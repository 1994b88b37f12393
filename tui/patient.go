package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// patientScreen shows one patient's record, opened through the session so
// the access log has the view.
type patientScreen struct {
	base
	p       core.Patient
	loading bool
	flash   string
	err     string
}

func newPatientScreen(c *workspace, p core.Patient) *patientScreen {
	return &patientScreen{base: newBase(c), p: p}
}

// Init does nothing: the record came with the screen.
func (s *patientScreen) Init() tea.Cmd { return nil }

// Title names the screen.
func (s *patientScreen) Title() string { return "Patient" }

// Busy is set while the chart loads.
func (s *patientScreen) Busy() bool { return s.loading }

// Update books, opens the chart, or goes back. The chart key is handled
// for every role: the session decides, and a refusal is shown as its
// reason.
func (s *patientScreen) Update(msg tea.Msg) tea.Cmd {
	keys := s.c.keys
	switch msg := msg.(type) {
	case notesMsg:
		s.loading = false
		if msg.err != nil {
			s.err = describe(msg.err)
			return nil
		}
		return s.c.push(newChart(s.c, msg.patient, msg.notes))
	case tea.KeyMsg:
		s.err, s.flash = "", ""
		switch {
		case key.Matches(msg, keys.Back):
			return s.c.back()
		case key.Matches(msg, keys.Book):
			return s.c.push(newBook(s.c, bookArgs{patient: s.p, day: s.c.today()}))
		case key.Matches(msg, keys.Chart):
			s.loading = true
			return notesCmd(s.c.sess, s.id, s.p)
		}
	}
	return nil
}

// View draws the record.
func (s *patientScreen) View() string {
	st := s.c.styles
	p := s.p
	row := func(label, value string) string {
		if value == "" {
			value = st.Subtle.Render("-")
		}
		return "  " + st.Label.Render(padRight(label, 18)) + value
	}
	lines := []string{
		"",
		"  " + st.Title.Render(p.Name),
		"",
		row("Date of birth", s.dob()),
		row("Sex", p.Sex),
		row("Phone", p.Phone),
		row("E-mail", p.Email),
		row("Address", p.Address),
		row("Emergency contact", p.EmergencyContact),
		row("Insurance", strings.TrimSpace(p.InsurerName+" "+p.InsuranceNumber)),
		row("Consent", consentLine(p.Consent)),
		row("Record", p.ID.Short()),
		"",
	}
	switch {
	case s.loading:
		lines = append(lines, "  "+s.c.spinner()+" Opening the chart…")
	case s.err != "":
		lines = append(lines, "  "+st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, "  "+st.OK.Render(s.flash))
	}
	return strings.Join(lines, "\n")
}

// dob is the date of birth with the age today.
func (s *patientScreen) dob() string {
	born, err := s.p.DOB.Time(time.UTC)
	if err != nil {
		return string(s.p.DOB)
	}
	now, _ := s.c.today().Time(time.UTC)
	age := now.Year() - born.Year()
	if now.YearDay() < born.YearDay() {
		age--
	}
	return fmt.Sprintf("%s (%d)", s.p.DOB, age)
}

// consentLine lists the consent flags in words.
func consentLine(c core.ConsentFlags) string {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprintf("SMS %s, e-mail %s, telemedicine %s, data sharing %s",
		yn(c.SMS), yn(c.Email), yn(c.Telemedicine), yn(c.DataSharing))
}

// ShortHelp offers booking, and the chart to roles that may read notes.
func (s *patientScreen) ShortHelp() []key.Binding {
	k := s.c.keys
	var out []key.Binding
	if s.c.can(core.ActCreate, core.KindAppointment) {
		out = append(out, k.Book)
	}
	if s.c.can(core.ActRead, core.KindNote) {
		out = append(out, k.Chart)
	}
	return out
}

// FullHelp is the short help in one column.
func (s *patientScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
