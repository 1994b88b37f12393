package schedules

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// doctorsMsg carries the doctors the user may set hours for.
type doctorsMsg struct {
	ui.Envelope
	doctors []core.User
	err     error
}

// loadedMsg carries one doctor's schedule; found is false when none is
// set yet.
type loadedMsg struct {
	ui.Envelope
	seq   int
	sched core.Schedule
	found bool
}

// savedMsg is the result of saving a schedule.
type savedMsg struct {
	ui.Envelope
	sched core.Schedule
	err   error
}

func doctorsCmd(s Port, to int) tea.Cmd {
	return func() tea.Msg {
		docs, err := s.Doctors()
		return doctorsMsg{Envelope: ui.Envelope{To: to}, doctors: docs, err: err}
	}
}

func loadCmd(s Port, to, seq int, doctor string) tea.Cmd {
	return func() tea.Msg {
		sc, err := s.Schedule(doctor)
		return loadedMsg{Envelope: ui.Envelope{To: to}, seq: seq, sched: sc, found: err == nil}
	}
}

func saveCmd(s Port, to int, sc core.Schedule) tea.Cmd {
	return func() tea.Msg {
		out, err := s.SetSchedule(sc)
		return savedMsg{Envelope: ui.Envelope{To: to}, sched: out, err: err}
	}
}
