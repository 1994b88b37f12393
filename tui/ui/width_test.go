package ui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWidthCountsAsAnsiDoes: the byte-at-a-time count agrees with
// ansi.StringWidth on every rune it counts itself, and on seeded random
// strings of those runes mixed with escapes, marks, joiners, emoji, wide
// letters and controls.
func TestWidthCountsAsAnsiDoes(t *testing.T) {
	for r := rune(0); r <= 0x2fff; r++ {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && !narrowRune(r)) {
			continue
		}
		s := string(r)
		if got, want := Width(s), ansi.StringWidth(s); got != want || got != 1 {
			t.Errorf("Width(%U) = %d, ansi.StringWidth = %d", r, got, want)
		}
	}
	pieces := []string{
		"a", "Z", " ", "~", "é", "ß", "Ł", "ǅ", "И", "λ", "\u0483", "…", "—", "•", "→", "│", "─", "┏", "█", "\u00a0",
		"\x1b[0m", "\x1b[1;38;5;203m", "\x1b[38;2;10;20;30m", "\x1b[?25l", "\x1b[2J",
		"\u0301", "\u200d", "\ufe0f", "\u00ad", "👍", "👩\u200d⚕️", "🇩🇪", "漢", "ｶ", "\t", "\r", "\x07",
		"\x1b]0;title\x07", "\x1b[", "\x1b", "\u202e", "e\u0301", "#\ufe0f\u20e3",
	}
	rng := rand.New(rand.NewPCG(7, 14))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for j := rng.IntN(12); j >= 0; j-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}
