package ui

import (
	"strings"
	"testing"

	"medisecure/core"
)

// TestTextDrivesNothing: what Text returns holds no escape, control or
// bidi rune, whatever it is given, and plain text comes back as it was.
func TestTextDrivesNothing(t *testing.T) {
	for _, s := range []string{
		"Evil\x1b[2J\x1b]0;PWNED\x1b\\Mallory",
		"\x1b]52;c;cm0gLXJmIC8=\x07", "line\rover", "two\nlines", "\u202eevil", "\x9b31m", "bad\xffbyte",
	} {
		got := Text(s)
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e {
				t.Errorf("Text(%q) = %q keeps %U", s, got, r)
			}
		}
	}
	for _, s := range []string{"Zoë Ärzteweg", "王小明", "Mary O'Brien"} {
		if Text(s) != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, Text(s))
		}
	}
	a := SafeAppointment(core.Appointment{Meta: core.Meta{CreatedBy: "ben\x1b[2J"}, Room: "1\x1b[31m", Reason: "x\x07", StatusReason: "\r"})
	if strings.ContainsAny(a.Room+a.Reason+a.StatusReason+a.CreatedBy, "\x1b\x07\r") {
		t.Errorf("SafeAppointment kept controls: %+v", a)
	}
}
