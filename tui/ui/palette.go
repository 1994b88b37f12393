package ui

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// resolved is c as r draws it, worked out once per renderer: given the
// adaptive hex colour, lipgloss would pick light or dark and convert the
// hex to the nearest of the terminal's 256 or 16 colours on every Render
// of every style, which was most of a frame's cost on such terminals. The
// colour it returns is already in the profile's form, so drawing it
// converts nothing and sends the same bytes.
func resolved(r *lipgloss.Renderer, c lipgloss.AdaptiveColor) lipgloss.TerminalColor {
	hex := c.Light
	if r.HasDarkBackground() {
		hex = c.Dark
	}
	switch v := r.ColorProfile().Color(hex).(type) {
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(v)))
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(v)))
	case termenv.RGBColor:
		return lipgloss.Color(string(v))
	}
	return c // no colour at all: nothing to convert
}
