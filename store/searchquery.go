package store

import (
	"bytes"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"

	"medisecure/core"
)

// Answering a search: the query's words, the candidates the trigram lists
// give, and their ranking. The index itself is in search.go.

// maxCandidates bounds how many matches are ranked for one query: enough
// for a screenful of good ones, few enough that a one-letter query costs no
// more than a rare one.
const maxCandidates = 1000

// datePrefix matches the start of a date of birth: 1984, 1984-03, 1984-03-27.
var datePrefix = regexp.MustCompile(`^\d{4}-\d{1,2}(-\d{1,2})?$`)

// hit is one candidate match while ranking.
type hit struct {
	id    []byte // the 12 ID bytes
	score int
	name  []byte
}

// find returns up to limit patient IDs whose text holds every word of the
// query, best first: a match at the start of the name, then at the start of
// a word, then anywhere; then by name.
func (ix *searchIndex) find(query string, limit int) []core.ID {
	words := queryWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil
	}
	v := ix.current()
	sc := v.base
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	lead := []byte(words[0])
	var hits []hit
	add := func(id, text []byte, at int) {
		if at < 0 || !containsAll(text, words[1:]) {
			return
		}
		name, _, _ := bytes.Cut(text, []byte("|"))
		hits = append(hits, hit{id: id, score: score(text, at, words), name: name})
	}
	// The changed entries first, then the scan's others.
	for i := range v.extra {
		add(v.extra[i].id[:], v.extra[i].text, bestMatch(v.extra[i].text, lead))
	}
	if len(lead) >= 3 {
		// Trigram lists narrow the field; the exact check confirms.
		for _, n := range sc.trigrams().candidates(lead) {
			if len(hits) >= maxCandidates {
				break
			}
			if !v.isDead(int(n)) {
				add(sc.rawID(int(n)), sc.text(int(n)), bestMatch(sc.text(int(n)), lead))
			}
		}
	} else {
		// One or two letters match often: scan until enough are found.
		for off := 0; len(hits) < maxCandidates; {
			i := bytes.Index(sc.flat[off:], lead)
			if i < 0 {
				break
			}
			// The entry is the last that starts at or before the match.
			n, _ := slices.BinarySearch(sc.starts, uint32(off+i+1))
			n--
			if !v.isDead(n) {
				add(sc.rawID(n), sc.text(n), bestMatch(sc.text(n), lead))
			}
			off = int(sc.starts[n+1]) - 1
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			return b.score - a.score
		}
		if c := bytes.Compare(a.name, b.name); c != 0 {
			return c
		}
		return bytes.Compare(a.id, b.id)
	})
	out := make([]core.ID, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, core.ID(hex.EncodeToString(h.id)))
	}
	return out
}

// queryWords folds a query into words, dropping the separator character.
// A word of digits and phone punctuation ("555-0134") is reduced to digits
// unless it is a date; any other word loses its punctuation ("o'brien" →
// "obrien"), which the squashed name in the scan text matches.
func queryWords(q string) []string {
	var out []string
	for _, w := range strings.Fields(fold(strings.ReplaceAll(q, "|", " "))) {
		switch {
		case datePrefix.MatchString(w):
			w = padDate(w)
		case strings.ContainsAny(w, "0123456789") && strings.Trim(w, "0123456789+-(). ") == "":
			w = core.PhoneDigits(w)
		default:
			w = squash(w) // "o'brien" finds OBrien and O'Brien alike
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// padDate writes a typed date prefix the way dates are stored: "1984-3-7"
// becomes "1984-03-07", "1984-3" becomes "1984-03".
func padDate(w string) string {
	parts := strings.Split(w, "-")
	for i := 1; i < len(parts); i++ {
		if len(parts[i]) == 1 {
			parts[i] = "0" + parts[i]
		}
	}
	return strings.Join(parts, "-")
}

// containsAll reports whether text holds every word.
func containsAll(text []byte, words []string) bool {
	for _, w := range words {
		if !bytes.Contains(text, []byte(w)) {
			return false
		}
	}
	return true
}

// bestMatch is where word occurs in text at its best place for ranking:
// the start of the text, else the start of a word, else the first place;
// -1 when it does not occur.
func bestMatch(text, word []byte) int {
	first := -1
	for off := 0; ; {
		i := bytes.Index(text[off:], word)
		if i < 0 {
			return first
		}
		at := off + i
		if at == 0 {
			return 0
		}
		if c := text[at-1]; c == ' ' || c == '|' {
			return at
		}
		if first < 0 {
			first = at
		}
		off = at + 1
	}
}

// score ranks a match by where the words fall: the start of the name counts
// most, the start of any word (of the name, the phone or the date) next.
// at is where the lead word matched.
func score(text []byte, at int, words []string) int {
	s := 0
	if at == 0 {
		s += 4
	} else if c := text[at-1]; c == ' ' || c == '|' {
		s += 2
	}
	for _, w := range words[1:] {
		if bytes.HasPrefix(text, []byte(w)) {
			s += 2
		} else if bytes.Contains(text, []byte(" "+w)) {
			s++
		}
	}
	return s
}
