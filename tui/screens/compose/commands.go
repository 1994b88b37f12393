package compose

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// openedMsg carries the message a reply answers.
type openedMsg struct {
	ui.Envelope
	m   core.Message
	err error
}

// sentMsg carries the message as sent.
type sentMsg struct {
	ui.Envelope
	m   core.Message
	err error
}

func openCmd(p Port, to int, id core.ID) tea.Cmd {
	return func() tea.Msg {
		m, err := p.OpenMessage(id)
		return openedMsg{Envelope: ui.Envelope{To: to}, m: m, err: err}
	}
}

// sendCmd reads the files, then sends: nothing is sent when one cannot be
// read.
func sendCmd(p Port, to int, m core.Message, paths []string) tea.Cmd {
	return func() tea.Msg {
		files := make([]core.File, 0, len(paths))
		for _, path := range paths {
			f, err := p.ReadAttachment(path)
			if err != nil {
				return sentMsg{Envelope: ui.Envelope{To: to}, err: err}
			}
			files = append(files, f)
		}
		sent, err := p.SendMessage(m, files...)
		return sentMsg{Envelope: ui.Envelope{To: to}, m: sent, err: err}
	}
}
