package tele

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// loadedMsg carries the appointment and its session.
type loadedMsg struct {
	ui.Envelope
	appt core.Appointment
	ts   core.Telesession
	has  bool
	err  error
}

// doneMsg carries the session after an action.
type doneMsg struct {
	ui.Envelope
	ts  core.Telesession
	err error
}

func loadCmd(p Port, to int, appt core.ID) tea.Cmd {
	return func() tea.Msg {
		a, err := p.Appointment(appt)
		if err != nil {
			return loadedMsg{Envelope: ui.Envelope{To: to}, err: err}
		}
		ts, has, err := p.TelesessionFor(appt)
		return loadedMsg{Envelope: ui.Envelope{To: to}, appt: a, ts: ts, has: has, err: err}
	}
}

func actCmd(to int, act func() (core.Telesession, error)) tea.Cmd {
	return func() tea.Msg {
		ts, err := act()
		return doneMsg{Envelope: ui.Envelope{To: to}, ts: ts, err: err}
	}
}
