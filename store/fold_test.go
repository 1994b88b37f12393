package store

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// fold's ASCII path gives what the full Unicode path gives, for any ASCII
// text: random strings over letters, digits, punctuation and every kind of
// ASCII white space, and the edge cases by hand.
func TestFoldASCIIIsFoldUnicode(t *testing.T) {
	cases := []string{"", " ", "  a  ", "Ana", "ana", "ana lee", "ana  lee", " ana", "ana ", "A\tB\nC\rD\vE\fF", "O'Brien-Smith", "x\x00y", "\x7f", "MIXED case Words"}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aAzZmM09 .,'-\t\n\v\f\r\x00\x7f"
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := fold(s), foldUnicode(s); got != want {
			t.Fatalf("fold(%q) = %q; the Unicode path gives %q", s, got, want)
		}
	}
	if got := fold("Zoë  Łukasiewicz"); got != "zoe lukasiewicz" {
		t.Fatalf("fold of non-ASCII text = %q", got)
	}
}

func BenchmarkFoldASCIIName(b *testing.B) {
	for range b.N {
		fold("Margaret O'Neill-Hughes")
	}
}
