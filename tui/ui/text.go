package ui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"medisecure/core"
)

// Text makes a string from a record, a user or an error safe to put on a
// terminal: escape sequences (CSI, OSC such as clipboard writes and window
// titles, DCS) are dropped, other control characters and bidi overrides
// removed, and line breaks and tabs become spaces, so nothing stored or
// pulled by sync can move the cursor, clear the screen or reorder a line.
// Every string a screen shows that it did not write itself goes through it.
func Text(s string) string {
	if plain(s) {
		return s
	}
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || bidi(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain reports whether s is printable ASCII only, the common case, which
// needs no copy.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// bidi reports whether r changes the direction of the text around it: the
// embeddings, overrides and isolates, and the marks.
func bidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// SafeAppointment is a with every free-text field made safe to draw, for
// screens that keep appointments to draw on every frame.
func SafeAppointment(a core.Appointment) core.Appointment {
	a.Room, a.Reason, a.StatusReason = Text(a.Room), Text(a.Reason), Text(a.StatusReason)
	a.CreatedBy = Text(a.CreatedBy)
	return a
}

// SafeAppointments makes every appointment of list safe to draw, in place.
func SafeAppointments(list []core.Appointment) {
	for i := range list {
		list[i] = SafeAppointment(list[i])
	}
}
