package booking

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// checkMsg is the result of checking a slot before booking; submit is set
// when the user asked to save.
type checkMsg struct {
	ui.Envelope
	seq    int
	err    error
	submit bool
}

// bookedMsg is the result of booking or moving an appointment.
type bookedMsg struct {
	ui.Envelope
	appt core.Appointment
	err  error
}

func checkSlotCmd(s Port, to, seq int, a core.Appointment, submit bool) tea.Cmd {
	return func() tea.Msg {
		return checkMsg{Envelope: ui.Envelope{To: to}, seq: seq, err: s.CheckSlot(a), submit: submit}
	}
}

// bookCmd saves a new appointment, or moves a when it has an ID.
func bookCmd(s Port, to int, a core.Appointment) tea.Cmd {
	return func() tea.Msg {
		var (
			out core.Appointment
			err error
		)
		if a.ID != "" {
			out, err = s.Move(a.ID, a.Start, a.Minutes, a.Room)
		} else {
			out, err = s.Book(a)
		}
		return bookedMsg{Envelope: ui.Envelope{To: to}, appt: out, err: err}
	}
}
