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
	if isASCII(s) {
		return foldASCII(s)
	}
	return foldUnicode(s)
}

// foldUnicode is fold by the book: decompose, drop combining marks,
// recompose, spell out the special letters. Text in ASCII has nothing it
// could change but case and spaces, and takes foldASCII instead: building
// the transform chain costs more than most names take to fold.
func foldUnicode(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		out = strings.ToLower(s)
	}
	return strings.Join(strings.Fields(specialFold.Replace(out)), " ")
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiSpace is the ASCII white space strings.Fields splits at.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// foldASCII is fold of ASCII text: lower case, runs of white space made
// one space, none at either end. Text already so comes back as it is.
func foldASCII(s string) string {
	if foldedASCII(s) {
		return s
	}
	out := make([]byte, 0, len(s))
	gap := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if asciiSpace[c] {
			gap = true
			continue
		}
		if gap && len(out) > 0 {
			out = append(out, ' ')
		}
		gap = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// foldedASCII reports whether ASCII s is its own fold.
func foldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			return false
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case asciiSpace[c]:
			return false
		}
	}
	return true
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
