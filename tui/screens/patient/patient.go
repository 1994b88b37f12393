package patient

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Record shows one patient's record, opened through the session so the
// access log has the view.
type Record struct {
	ui.Base
	port    Port
	id      core.ID
	p       core.Patient
	loading bool
	flash   string
	err     string

	// history (newest first) and upcoming (soonest first) are the
	// patient's appointments; visits is set once they loaded.
	history, upcoming []core.Appointment
	visits            bool
	visitsErr         string
}

// NewRecord shows r.Patient when the route carries the record (just
// registered or saved), else loads r.PatientID.
func NewRecord(c *ui.Shared, p Port, r ui.Route) *Record {
	s := &Record{Base: ui.NewBase(c), port: p, id: r.PatientID, p: r.Patient, flash: r.Flash}
	if r.Patient.ID != "" {
		s.id = r.Patient.ID
	}
	return s
}

// Init opens the record unless the route brought it, and the visits.
func (s *Record) Init() tea.Cmd {
	visits := visitsCmd(s.port, s.ID(), s.id, s.S.Now())
	if s.p.ID != "" {
		return visits
	}
	s.loading = true
	return tea.Batch(openCmd(s.port, s.ID(), s.id), visits)
}

// Resume shows the record as the edit form saved it, with its note.
func (s *Record) Resume(r ui.Route) tea.Cmd {
	if r.Patient.ID == s.id {
		s.p = r.Patient
	}
	s.flash = r.Flash
	return nil
}

// Title names the screen.
func (s *Record) Title() string { return "Patient" }

// Busy is set while the record loads.
func (s *Record) Busy() bool { return s.loading }

// Update books, edits, opens the chart, or goes back.
func (s *Record) Update(msg tea.Msg) tea.Cmd {
	keys := s.S.Keys
	switch msg := msg.(type) {
	case recordMsg:
		s.loading = false
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.p = msg.patient
		}
	case visitsMsg:
		s.visits, s.visitsErr = true, s.S.Describe(msg.err)
		s.history, s.upcoming = msg.history, msg.upcoming
	case tea.KeyMsg:
		s.err, s.flash = "", ""
		switch {
		case key.Matches(msg, keys.Back):
			return s.S.Back()
		case s.p.ID == "":
		case key.Matches(msg, keys.Book):
			return s.S.Push(ui.PageBook, ui.Route{Patient: s.p, Day: s.S.Today()})
		case key.Matches(msg, keys.Edit):
			return s.S.Push(ui.PageEdit, ui.Route{Patient: s.p})
		case key.Matches(msg, keys.Chart):
			// Refused here with the permission table's own reason; the
			// store checks again when the chart loads.
			if err := core.Authorize(s.S.Who, core.ActRead, core.KindNote); err != nil {
				s.err = s.S.Describe(err)
				return nil
			}
			return s.S.Push(ui.PageChart, ui.Route{Patient: s.p})
		}
	}
	return nil
}

// View draws the record.
func (s *Record) View() string {
	st := s.S.Styles
	p := s.p
	if p.ID == "" {
		if s.err != "" {
			return "\n  " + st.Error.Render(s.err)
		}
		return "\n  " + s.S.Spinner() + " Opening the record…"
	}
	row := func(label, value string) string {
		if value = ui.Text(value); value == "" {
			value = st.Subtle.Render("-")
		}
		return "  " + st.Label.Render(ui.PadRight(label, 18)) + value
	}
	lines := []string{
		"",
		"  " + st.Title.Render(ui.Text(p.Name)),
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
	lines = append(lines, s.visitLines(s.Height-len(lines)-2)...)
	switch {
	case s.err != "":
		lines = append(lines, "  "+st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, "  "+st.OK.Render(s.flash))
	}
	return strings.Join(lines, "\n")
}

// visitLines are the upcoming appointments, then the history, in at most
// room lines; each list gets at least a line when both have entries.
func (s *Record) visitLines(room int) []string {
	st := s.S.Styles
	switch {
	case room < 2:
		return nil
	case s.visitsErr != "":
		return []string{"  " + st.Error.Render(s.visitsErr)}
	case !s.visits:
		return []string{"  " + s.S.Spinner() + " Loading visits…"}
	}
	up := min(len(s.upcoming), max(1, (room-2)/2))
	if len(s.upcoming) == 0 {
		up = 0
	}
	past := max(0, min(len(s.history), room-2-max(up, 1)))
	lines := append([]string{"  " + st.Bold.Render(fmt.Sprintf("Upcoming (%d)", len(s.upcoming)))}, s.visitRows(s.upcoming, up)...)
	if len(s.upcoming) == 0 {
		lines = append(lines, "    "+st.Subtle.Render("none booked"))
	}
	lines = append(lines, "  "+st.Bold.Render(fmt.Sprintf("History (%d)", len(s.history))))
	return append(lines, s.visitRows(s.history, past)...)
}

// visitRows are the first n appointments of list, one line each.
func (s *Record) visitRows(list []core.Appointment, n int) []string {
	out := make([]string, 0, n)
	for _, a := range list[:n] {
		row := "    " + ui.PadRight(s.S.When(a.Start), 17) + "  " + ui.PadRight(s.S.DoctorLabel(a.Doctor), 20) + "  " +
			ui.PadRight(a.Room, 8) + "  " + s.S.Styles.Appt[a.Status].Render(core.StatusWord(string(a.Status)))
		if a.Reason != "" {
			row += "  " + s.S.Styles.Subtle.Render(ui.Truncate(a.Reason, max(0, s.Width-lipgloss.Width(row)-2)))
		}
		out = append(out, row)
	}
	return out
}

// dob is the date of birth with the age today.
func (s *Record) dob() string {
	born, err := s.p.DOB.Time(time.UTC)
	if err != nil {
		return string(s.p.DOB)
	}
	now, _ := s.S.Today().Time(time.UTC)
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

// ShortHelp offers booking, editing, and the chart to roles that may read
// notes.
func (s *Record) ShortHelp() []key.Binding {
	k := s.S.Keys
	var out []key.Binding
	if s.S.Can(core.ActCreate, core.KindAppointment) {
		out = append(out, k.Book)
	}
	if s.S.Can(core.ActUpdate, core.KindPatient) {
		out = append(out, k.Edit)
	}
	if s.S.Can(core.ActRead, core.KindNote) {
		out = append(out, k.Chart)
	}
	return out
}

// FullHelp is the short help in one column.
func (s *Record) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
