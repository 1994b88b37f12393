package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// Screen is the contract every screen keeps. The root model only routes
// between screens: it hands each one its size and the messages meant for
// it, and draws the frame (header, help, status bar) around its View.
type Screen interface {
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

// ViewWriter is a screen that can write its body straight into the
// frame, between the root's pre (the header) and post (help and status
// bar), which saves every frame a copy of the biggest string it holds.
// What it writes between pre and post must be what View returns; the
// root still checks that it fits.
type ViewWriter interface {
	WriteView(b *strings.Builder, pre, post string)
}

// Capturer is a screen that is typing into a text field just now, so
// printable keys such as "?" are text rather than commands.
type Capturer interface{ Capturing() bool }

// Busier is a screen waiting on a Cmd; the root turns the spinner.
type Busier interface{ Busy() bool }

// Refresher is a screen that reloads when it is shown again.
type Refresher interface{ Refresh() tea.Cmd }

// Dirtier is a screen holding input not yet saved, such as a half-filled
// form: quitting asks first.
type Dirtier interface{ Dirty() bool }

// Resumer is the screen at the bottom of the stack, shown again with a
// route's note after a booking or a move.
type Resumer interface{ Resume(r Route) tea.Cmd }

// Base is embedded in every screen: the shared state, its address and
// its size.
type Base struct {
	S             *Shared
	id            int
	Width, Height int
}

// NewBase gives a new screen its address.
func NewBase(c *Shared) Base {
	c.screens++
	return Base{S: c, id: c.screens}
}

// ID is the screen's address.
func (b *Base) ID() int { return b.id }

// SetSize records the body's size.
func (b *Base) SetSize(w, h int) { b.Width, b.Height = w, h }

// Envelope addresses a result to the screen that asked for it, so a
// result that arrives after the user moved on still reaches its screen,
// and never a different one.
type Envelope struct{ To int }

// Addressee is the screen the result is for.
func (e Envelope) Addressee() int { return e.To }

// Addressed is a message for one screen.
type Addressed interface{ Addressee() int }

// IsCapturing reports whether s is typing into a text field just now.
func IsCapturing(s Screen) bool {
	c, ok := s.(Capturer)
	return ok && c.Capturing()
}
