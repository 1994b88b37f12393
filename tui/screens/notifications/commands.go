package notifications

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// listMsg carries the user's notifications.
type listMsg struct {
	ui.Envelope
	list []core.Notification
	err  error
}

func loadCmd(p Port, to int) tea.Cmd {
	return func() tea.Msg {
		list, err := p.StaffNotifications()
		return listMsg{Envelope: ui.Envelope{To: to}, list: list, err: err}
	}
}
