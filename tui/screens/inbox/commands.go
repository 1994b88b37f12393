package inbox

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// inboxMsg carries the user's messages.
type inboxMsg struct {
	ui.Envelope
	list []core.Message
	err  error
}

// openedMsg carries one opened message.
type openedMsg struct {
	ui.Envelope
	m   core.Message
	err error
}

func loadCmd(p Port, to int) tea.Cmd {
	return func() tea.Msg {
		list, err := p.Inbox()
		return inboxMsg{Envelope: ui.Envelope{To: to}, list: list, err: err}
	}
}

func openCmd(p Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		m, err := p.OpenMessage(id)
		return openedMsg{Envelope: ui.Envelope{To: to}, m: m, err: err}
	}
}

// savedMsg says where a message's files went.
type savedMsg struct {
	ui.Envelope
	paths []string
	err   error
}

func saveCmd(p Port, to int, id core.ID, dir string) tea.Cmd {
	return func() tea.Msg {
		paths, err := p.SaveAttachments(id, dir)
		return savedMsg{Envelope: ui.Envelope{To: to}, paths: paths, err: err}
	}
}
