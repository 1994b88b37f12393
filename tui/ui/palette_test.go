package ui

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestStylesNeedNoColourConversionPerFrame builds the styles on terminals
// of every colour profile, light and dark: each colour is already in the
// profile's form (a hex string converts to the nearest of 256 colours on
// every Render otherwise), and draws the same bytes as the palette's
// adaptive colour.
func TestStylesNeedNoColourConversionPerFrame(t *testing.T) {
	palette := []lipgloss.AdaptiveColor{colAccent, colSubtle, colError, colWarn, colOK, colBarBg, colBarFg, colSelBg, colBorder}
	for _, p := range []termenv.Profile{termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		for _, dark := range []bool{false, true} {
			r := lipgloss.NewRenderer(io.Discard)
			r.SetColorProfile(p)
			r.SetHasDarkBackground(dark)
			st := NewStyles(r)
			for _, style := range []lipgloss.Style{st.Title, st.Subtle, st.Error, st.Warning, st.OK, st.Status, st.Selected, st.Border} {
				for _, c := range []lipgloss.TerminalColor{style.GetForeground(), style.GetBackground()} {
					col, ok := c.(lipgloss.Color)
					if _, none := c.(lipgloss.NoColor); none {
						continue
					}
					if !ok || (p != termenv.TrueColor && len(col) > 0 && col[0] == '#') {
						t.Fatalf("profile %v dark %v: colour %#v is converted on every frame", p, dark, c)
					}
				}
			}
			for _, c := range palette {
				want := r.NewStyle().Foreground(c).Background(c).Render("x")
				if got := r.NewStyle().Foreground(resolved(r, c)).Background(resolved(r, c)).Render("x"); got != want {
					t.Fatalf("profile %v dark %v: %#v draws %q, want %q", p, dark, c, got, want)
				}
			}
		}
	}
}
