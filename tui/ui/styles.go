package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"medisecure/core"
)

// Styles is the one set of styles every screen draws with. Colours are
// adaptive, so they read on dark and light terminals; nothing depends on
// colour alone (selection has a "> " marker, the focused box a heavier
// border, states are words), so the screens still work under NO_COLOR.
type Styles struct {
	Header, Brand, Title, Subtle, Bold lipgloss.Style
	Error, Warning, OK                 lipgloss.Style
	Selected, Label, Focused, Cursor   lipgloss.Style
	Column, ColumnFocused, ColumnTitle lipgloss.Style
	Panel, PanelFocused                lipgloss.Style
	// Border and BorderFocused colour the boxes the day view draws by
	// hand: a plain border, and the focused one, which is also heavier.
	Border, BorderFocused lipgloss.Style

	Status, StatusGood, StatusBad, StatusWarn, Badge lipgloss.Style

	// Appt colours an appointment by status.
	Appt map[core.AppointmentStatus]lipgloss.Style
	// Help styles the bubbles/help view.
	Help help.Styles
	// Tags are the status words of the day's columns, rendered once.
	Tags map[core.AppointmentStatus]string

	// Plain is set when the renderer draws no styles at all (NO_COLOR):
	// then reverse video cannot show the cursor either.
	Plain bool
}

// CursorCell is what the cursor draws over ch: ch itself, reversed by the
// Cursor style; when plain, an underscore where the cursor is past the
// text, since reverse video is not drawn.
func (s Styles) CursorCell(ch string) string {
	if s.Plain && ch == " " {
		return "_"
	}
	return ch
}

// The palette.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A594FF"}
	colSubtle = lipgloss.AdaptiveColor{Light: "#7A7A7A", Dark: "#8A8A8A"}
	colError  = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF7A70"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#E8B84A"}
	colOK     = lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#5BD778"}
	colBarBg  = lipgloss.AdaptiveColor{Light: "#E6E6E6", Dark: "#2E2E2E"}
	colBarFg  = lipgloss.AdaptiveColor{Light: "#2A2A2A", Dark: "#D6D6D6"}
	colSelBg  = lipgloss.AdaptiveColor{Light: "#E2DBFF", Dark: "#3D3466"}
	colBorder = lipgloss.AdaptiveColor{Light: "#C4C4C4", Dark: "#4A4A4A"}
)

// NewStyles builds the styles on a renderer, so each SSH session gets
// colours that suit its own terminal.
func NewStyles(r *lipgloss.Renderer) Styles {
	n := r.NewStyle
	colAccent, colSubtle, colError := resolved(r, colAccent), resolved(r, colSubtle), resolved(r, colError)
	colWarn, colOK, colBarBg, colBarFg := resolved(r, colWarn), resolved(r, colOK), resolved(r, colBarBg), resolved(r, colBarFg)
	colSelBg, colBorder := resolved(r, colSelBg), resolved(r, colBorder)
	s := Styles{
		Header:        n().Bold(true),
		Brand:         n().Bold(true).Foreground(colAccent),
		Title:         n().Bold(true).Foreground(colAccent),
		Subtle:        n().Foreground(colSubtle),
		Bold:          n().Bold(true),
		Error:         n().Foreground(colError),
		Warning:       n().Foreground(colWarn),
		OK:            n().Foreground(colOK),
		Selected:      n().Background(colSelBg).Bold(true),
		Label:         n().Foreground(colSubtle),
		Focused:       n().Foreground(colAccent).Bold(true),
		Cursor:        n().Reverse(true),
		Column:        n().Border(lipgloss.NormalBorder()).BorderForeground(colBorder),
		ColumnFocused: n().Border(lipgloss.ThickBorder()).BorderForeground(colAccent),
		ColumnTitle:   n().Bold(true),
		Panel:         n().Border(lipgloss.NormalBorder()).BorderForeground(colBorder),
		PanelFocused:  n().Border(lipgloss.ThickBorder()).BorderForeground(colAccent),
		Border:        n().Foreground(colBorder),
		BorderFocused: n().Foreground(colAccent),
		Status:        n().Foreground(colBarFg).Background(colBarBg),
		StatusGood:    n().Foreground(colOK).Background(colBarBg),
		StatusBad:     n().Foreground(colError).Background(colBarBg).Bold(true),
		StatusWarn:    n().Foreground(colWarn).Background(colBarBg),
		Badge:         n().Foreground(colError).Background(colBarBg).Bold(true),
		Plain:         r.ColorProfile() == termenv.Ascii,
	}
	s.Appt = map[core.AppointmentStatus]lipgloss.Style{
		core.ApptBooked:     n(),
		core.ApptCheckedIn:  n().Foreground(colWarn).Bold(true),
		core.ApptInProgress: n().Foreground(colAccent),
		core.ApptCompleted:  n().Foreground(colOK),
		core.ApptCancelled:  n().Foreground(colSubtle).Strikethrough(true),
		core.ApptNoShow:     n().Foreground(colSubtle),
	}
	s.Tags = map[core.AppointmentStatus]string{}
	for st, style := range s.Appt {
		s.Tags[st] = style.Render(StatusShort(st))
	}
	s.Help = help.Styles{
		Ellipsis:       n().Foreground(colSubtle),
		ShortKey:       n().Foreground(colAccent),
		ShortDesc:      n().Foreground(colSubtle),
		ShortSeparator: n().Foreground(colBorder),
		FullKey:        n().Foreground(colAccent),
		FullDesc:       n().Foreground(colSubtle),
		FullSeparator:  n().Foreground(colBorder),
	}
	return s
}
