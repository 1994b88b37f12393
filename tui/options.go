package tui

import (
	"os"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// DefaultIdleLock is how long the screen stays open without a key press
// before it locks, when Options.IdleLock is zero.
const DefaultIdleLock = 5 * time.Minute

// Options configure the interface. The zero value is usable: the real
// clock, a five-minute idle lock, lipgloss's default renderer.
type Options struct {
	// Now is the clock; nil means time.Now. Tests pass a fixed clock.
	Now func() time.Time
	// IdleLock is how long without a key press locks the screen; zero means
	// DefaultIdleLock.
	IdleLock time.Duration
	// DemoHint is shown under the login form when not empty, such as the
	// demo users and their passphrase.
	DemoHint string
	// Renderer draws the styles; nil means lipgloss's default renderer on
	// standard output. Each SSH session passes its own, so colours follow
	// that session's terminal.
	Renderer *lipgloss.Renderer
	// NoColor draws without colour. The NO_COLOR environment variable has
	// the same effect; the renderer's colour detection honours it.
	NoColor bool
}

// withDefaults fills in the zero fields.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IdleLock <= 0 {
		o.IdleLock = DefaultIdleLock
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
		if o.NoColor {
			// A renderer of our own, so forcing no colour does not change
			// the process-wide default.
			o.Renderer = lipgloss.NewRenderer(os.Stdout)
		}
	}
	if o.NoColor {
		o.Renderer.SetColorProfile(termenv.Ascii)
		// Without colour, light or dark does not matter: set it rather
		// than ask the terminal.
		o.Renderer.SetHasDarkBackground(true)
	}
	// Ask the terminal for its background now, before the program reads
	// the keyboard, so the answer cannot be taken for key presses.
	o.Renderer.HasDarkBackground()
	return o
}
