package store

import (
	"strings"
	"unicode"

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
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
