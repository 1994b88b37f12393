package patient

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// lookupReason is what the access log records for a front-desk view.
const lookupReason = "front desk lookup"

// searchLimit is how many patients a search shows at most.
const searchLimit = 50

// searchMsg carries the patients found for query number seq.
type searchMsg struct {
	ui.Envelope
	seq      int
	patients []core.Patient
	err      error
}

// recordMsg carries a patient opened for viewing.
type recordMsg struct {
	ui.Envelope
	patient core.Patient
	err     error
}

// dupMsg lists probable duplicates of a patient about to be registered.
type dupMsg struct {
	ui.Envelope
	dups []core.Patient
	err  error
}

// savedMsg is the result of registering or editing a patient.
type savedMsg struct {
	ui.Envelope
	patient core.Patient
	err     error
}

func searchCmd(s Port, to, seq int, text string) tea.Cmd {
	return func() tea.Msg {
		ps, err := s.FindPatients(text, searchLimit)
		return searchMsg{Envelope: ui.Envelope{To: to}, seq: seq, patients: ps, err: err}
	}
}

func openCmd(s Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		p, err := s.Patient(id, lookupReason)
		return recordMsg{Envelope: ui.Envelope{To: to}, patient: p, err: err}
	}
}

func duplicatesCmd(s Port, to int, name string, dob core.Date) tea.Cmd {
	return func() tea.Msg {
		dups, err := s.LikelyDuplicates(name, dob)
		return dupMsg{Envelope: ui.Envelope{To: to}, dups: dups, err: err}
	}
}

// saveCmd registers p, or saves it when it has an ID.
func saveCmd(s Port, to int, p core.Patient) tea.Cmd {
	return func() tea.Msg {
		var (
			out core.Patient
			err error
		)
		if p.ID != "" {
			out, err = s.UpdatePatient(p)
		} else {
			out, err = s.AddPatient(p)
		}
		return savedMsg{Envelope: ui.Envelope{To: to}, patient: out, err: err}
	}
}

// visitsMsg carries a patient's visit history and upcoming appointments.
type visitsMsg struct {
	ui.Envelope
	history, upcoming []core.Appointment
	err               error
}

func visitsCmd(s Port, to int, id core.ID, now time.Time) tea.Cmd {
	return func() tea.Msg {
		appts, err := s.PatientAppointments(id)
		ui.SafeAppointments(appts)
		msg := visitsMsg{Envelope: ui.Envelope{To: to}, err: err}
		msg.history, msg.upcoming = core.SplitVisits(appts, now)
		return msg
	}
}
