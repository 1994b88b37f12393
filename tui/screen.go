package tui

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// screen is the contract every screen keeps. The root model only routes
// between screens: it hands each one its size and the messages meant for
// it, and draws the frame (header, help, status bar) around its View.
type screen interface {
	help.KeyMap
	Init() tea.Cmd
	// Update handles a key or a result addressed to the screen.
	Update(msg tea.Msg) tea.Cmd
	// View draws the body; the root crops it to the size it gave.
	View() string
	// SetSize is the body's size in cells.
	SetSize(width, height int)
	// Title names the screen in the header.
	Title() string
	// ID is the address of results meant for this screen.
	ID() int
}

// capturer is a screen that is typing into a text field just now, so
// printable keys such as "?" are text rather than commands.
type capturer interface{ Capturing() bool }

// busier is a screen waiting on a Cmd; the root turns the spinner.
type busier interface{ Busy() bool }

// refresher is a screen that reloads when it is shown again.
type refresher interface{ Refresh() tea.Cmd }

// base is embedded in every screen: the shared state, its address and
// its size.
type base struct {
	c             *workspace
	id            int
	width, height int
}

// newBase gives a new screen its address.
func newBase(c *workspace) base {
	c.screens++
	return base{c: c, id: c.screens}
}

// ID is the screen's address.
func (b *base) ID() int { return b.id }

// SetSize records the body's size.
func (b *base) SetSize(w, h int) { b.width, b.height = w, h }

// navKind is what a navigation asks of the root.
type navKind int

const (
	navPush    navKind = iota // show a screen on top; esc comes back
	navReplace                // show a screen in place of the current one
	navBack                   // leave the current screen
	navDone                   // back to the schedule after a booking
)

// navAction is a screen's request to navigate. Screens record it on the workspace
// and the root carries it out before its Update returns, so a key typed
// right after "/" already reaches the search.
type navAction struct {
	kind navKind
	s    screen
	done doneNote
}

// push shows s on top of the current screen.
func (c *workspace) push(s screen) tea.Cmd {
	c.nav = append(c.nav, navAction{kind: navPush, s: s})
	return nil
}

// replace shows s in place of the current screen.
func (c *workspace) replace(s screen) tea.Cmd {
	c.nav = append(c.nav, navAction{kind: navReplace, s: s})
	return nil
}

// back leaves the current screen.
func (c *workspace) back() tea.Cmd {
	c.nav = append(c.nav, navAction{kind: navBack})
	return nil
}

// done returns to the schedule, showing what was booked.
func (c *workspace) done(d doneNote) tea.Cmd {
	c.nav = append(c.nav, navAction{kind: navDone, done: d})
	return nil
}
