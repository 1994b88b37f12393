package chart

import (
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// chartMsg carries the chart read number seq, or the store's refusal.
type chartMsg struct {
	ui.Envelope
	seq   int
	chart core.Chart
	err   error
}

// savedMsg is the result of a write from one of the chart's forms: what
// was done, in words for the flash line, or why not.
type savedMsg struct {
	ui.Envelope
	done string
	err  error
}

func loadCmd(p Port, to, seq int, patient core.ID, reason string) tea.Cmd {
	return func() tea.Msg {
		c, err := p.Chart(patient, reason)
		return chartMsg{Envelope: ui.Envelope{To: to}, seq: seq, chart: c, err: err}
	}
}

// saveCmd runs one write and reports it as done, or its error.
func saveCmd(to int, done string, write func() error) tea.Cmd {
	return func() tea.Msg {
		return savedMsg{Envelope: ui.Envelope{To: to}, done: done, err: write()}
	}
}
