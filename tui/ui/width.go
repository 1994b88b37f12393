package ui

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of cells s takes on a terminal, as
// ansi.StringWidth counts them: escape sequences take none. Lines of
// printable ASCII, Latin letters, box drawing and common punctuation,
// styled with CSI sequences — nearly every line a screen draws — are
// counted a byte at a time; any other rune, control or escape sends the
// whole string to ansi.StringWidth, which splits it into grapheme
// clusters (the root measures every line of every frame).
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b >= 0x20 && b < 0x7f:
			n++
			i++
		case b == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j + 1
		case b >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowRune(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrowRune reports whether r is one cell wide and never joins its
// neighbours into one grapheme cluster (no mark, joiner, selector or
// emoji): Latin, Greek and Cyrillic letters, general punctuation, the four plain arrows, box
// drawing and block elements.
func narrowRune(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0x24f:
		return r != 0xad // the soft hyphen takes no cell
	case r >= 0x370 && r <= 0x52f: // Greek and Cyrillic
		return r < 0x483 || r > 0x489 // but the Cyrillic combining marks
	case r >= 0x2010 && r <= 0x2027:
		return true
	case r >= 0x2190 && r <= 0x2193:
		return true
	case r >= 0x2500 && r <= 0x259f:
		return true
	}
	return false
}
