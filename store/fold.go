package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// specialFold spells out letters that carry no combining mark to strip.
var specialFold = strings.NewReplacer("ł", "l", "ø", "o", "ß", "ss", "æ", "ae", "œ", "oe", "đ", "d", "ð", "d", "þ", "th", "ı", "i")

// fold makes text comparable for search: lower case, accents removed
// ("Zoë Łukasiewicz" → "zoe lukasiewicz"), runs of space collapsed.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		out = strings.ToLower(s)
	}
	return strings.Join(strings.Fields(specialFold.Replace(out)), " ")
}

// squash keeps only the letters and digits of folded text, so that spaces
// and punctuation do not matter to search: "seán o'brien" → "seanobrien",
// "de la cruz" → "delacruz".
func squash(s string) string {
	return string(appendSquash(make([]byte, 0, len(s)), []byte(s)))
}

// appendSquash appends squash(s) to dst.
func appendSquash(dst, s []byte) []byte {
	for len(s) > 0 {
		r, w := utf8.DecodeRune(s)
		if isWordRune(r) {
			dst = append(dst, s[:w]...)
		}
		s = s[w:]
	}
	return dst
}

// squashLen is len(squash(s)).
func squashLen(s []byte) int {
	n := 0
	for len(s) > 0 {
		r, w := utf8.DecodeRune(s)
		if isWordRune(r) {
			n += w
		}
		s = s[w:]
	}
	return n
}

// isWordRune reports whether squash keeps r: a letter or a digit (never
// the replacement for a byte that is not UTF-8).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
