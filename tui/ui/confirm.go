package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// Confirm is a yes-or-no question that stands between a key and what it
// would do, such as quitting with unsaved input. While it is open, y does
// it and any other key says no.
type Confirm struct {
	question string
	yes      func() tea.Cmd
}

// Ask opens the question; yes runs when the answer is y.
func (c *Confirm) Ask(question string, yes func() tea.Cmd) {
	c.question, c.yes = question, yes
}

// Open reports whether a question waits for its answer.
func (c *Confirm) Open() bool { return c.yes != nil }

// Key answers the question with k and closes it.
func (c *Confirm) Key(k tea.KeyMsg) tea.Cmd {
	yes := c.yes
	c.question, c.yes = "", nil
	if k.String() == "y" || k.String() == "Y" {
		return yes()
	}
	return nil
}

// View is the question in one line of w cells.
func (c *Confirm) View(st Styles, w int) string {
	return PadRight(st.Warning.Render(c.question+" y yes, any other key no"), w)
}
