package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// MaxName is the widest a name column grows on a wide terminal, so the
// columns after it stay near it.
const MaxName = 36

// Truncate cuts s to at most w cells, ending in an ellipsis when cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// PadRight truncates s to w cells and pads it with spaces to exactly w.
func PadRight(s string, w int) string {
	s = Truncate(s, w)
	if n := w - Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// PadLeft truncates s to w cells and pads it with spaces on the left to
// exactly w.
func PadLeft(s string, w int) string {
	s = Truncate(s, w)
	if n := w - Width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// Fit makes s exactly h lines, none wider than w cells: the root uses it
// so no screen can push the layout past the terminal. A view that fits
// already is returned as it is, without copying. With no room at all
// (h or w below one) it is the empty string.
func Fit(s string, w, h int) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	if fits(s, w, h) {
		return s
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = Truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Fits reports whether s is exactly h lines, none wider than w cells: a
// view Fit returns as it is.
func Fits(s string, w, h int) bool { return h > 0 && w > 0 && fits(s, w, h) }

// Height is the number of lines s takes.
func Height(s string) int { return lipgloss.Height(s) }

// Window returns the first index and the end of a list of n rows shown in
// h lines, keeping the selected row sel in sight and roughly centred.
func Window(n, sel, h int) (int, int) {
	if h <= 0 {
		return 0, 0
	}
	if n <= h {
		return 0, n
	}
	start := min(max(0, sel-h/2), n-h)
	return start, start + h
}

// fits reports whether s is exactly h lines, none wider than w cells. A
// line of no more bytes than w is narrow enough without measuring.
func fits(s string, w, h int) bool {
	n := 0
	for {
		i := strings.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line = s[:i]
		}
		if n++; n > h || (len(line) > w && Width(line) > w) {
			return false
		}
		if i < 0 {
			return n == h
		}
		s = s[i+1:]
	}
}
