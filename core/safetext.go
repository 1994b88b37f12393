package core

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SafeText renders s for one line of a terminal (a table cell, a label, a
// status line): every rune that could drive the terminal or reorder the
// line becomes visible, harmless text. ESC becomes "␛" and the other C0
// controls their Control Pictures (␀…␟, DEL ␡), a line break "↵", C1
// controls and invalid bytes "\x9b"-style hex, and bidi overrides and
// isolates "<U+202E>", so stored or synced text can never clear a screen,
// set a title, write the clipboard or hide what a line says. Safe text is
// returned unchanged without copying.
func SafeText(s string) string { return safe(s, false) }

// SafeBlock is SafeText for text shown over several lines (a note, a
// message body): line breaks are kept, a tab becomes four spaces, and \r
// and every other control are shown as SafeText shows them.
func SafeBlock(s string) string { return safe(s, true) }

// safe is SafeText (multiline false) and SafeBlock.
func safe(s string, multiline bool) string {
	if plainASCII(s) || !needsEscape(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\t' && multiline:
			b.WriteString("    ")
		case r == '\n', r == 0x2028, r == 0x2029:
			b.WriteRune('↵')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // Control Pictures: ␀ … ␛ … ␟
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape reports whether safe has anything to change in s.
func needsEscape(s string, multiline bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			return true
		case r == '\n':
			if !multiline {
				return true
			}
		case r == '\t':
			return true
		case unsafeRune(r):
			return true
		}
	}
	return false
}
