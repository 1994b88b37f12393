package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// searchEntry is what the index keeps of one patient: the name to show and
// the folded text searched ("name|phone digits|date of birth").
type searchEntry struct {
	name string
	text string
}

// foldedName is the folded name part of the searched text.
func (e searchEntry) foldedName() string {
	n, _, _ := strings.Cut(e.text, "|")
	return n
}

// entryFor builds a patient's index entry.
func entryFor(p *core.Patient) searchEntry {
	return searchEntry{name: p.Name, text: fold(p.Name) + "|" + core.PhoneDigits(p.Phone) + "|" + string(p.DOB)}
}

// searchIndex is the in-memory patient index. On disk it is 256 sealed
// shards (by the last byte of the patient ID), so no name, phone or date of
// birth is ever in clear in the file, and a write reseals one small shard.
type searchIndex struct {
	mu      sync.RWMutex
	entries map[core.ID]searchEntry
	shards  [256]map[core.ID]struct{}

	// flat is every entry's text joined by NUL, rebuilt on the first
	// search after a change; starts[i] is where ids[i]'s text begins.
	flat   []byte
	starts []int
	ids    []core.ID
	grams  *grams
	stale  bool
}

func newSearchIndex() *searchIndex {
	ix := &searchIndex{entries: map[core.ID]searchEntry{}, stale: true}
	for i := range ix.shards {
		ix.shards[i] = map[core.ID]struct{}{}
	}
	return ix
}

// shardOf picks an ID's shard.
func shardOf(id core.ID) byte {
	b := id.Bytes()
	if b == nil {
		return 0
	}
	return b[len(b)-1]
}

// searchBatch collects index changes of one transaction; they reach memory
// only after the transaction commits.
type searchBatch map[core.ID]*searchEntry

// stage records an entry (or a removal, when e is nil) for the batch.
func (b searchBatch) stage(id core.ID, e *searchEntry) { b[id] = e }

// persist writes every shard the batch touches, sealed, in tx.
func (ix *searchIndex) persist(tx *bolt.Tx, s *sealer, b searchBatch) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	touched := map[byte]bool{}
	for id := range b {
		touched[shardOf(id)] = true
	}
	bucket := tx.Bucket(bucketSearch)
	for sh := range touched {
		var buf []byte
		add := func(id core.ID, e searchEntry) {
			buf = append(buf, id.Bytes()...)
			buf = binary.AppendUvarint(buf, uint64(len(e.name)))
			buf = append(buf, e.name...)
			buf = binary.AppendUvarint(buf, uint64(len(e.text)))
			buf = append(buf, e.text...)
		}
		for id := range ix.shards[sh] {
			if _, ok := b[id]; !ok {
				add(id, ix.entries[id])
			}
		}
		for id, e := range b {
			if e != nil && shardOf(id) == sh {
				add(id, *e)
			}
		}
		key := []byte{sh}
		if err := bucket.Put(key, s.seal(bucketSearch, key, buf)); err != nil {
			return fmt.Errorf("store: writing search shard: %w", err)
		}
	}
	return nil
}

// apply brings a committed batch into memory.
func (ix *searchIndex) apply(b searchBatch) {
	if len(b) == 0 {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for id, e := range b {
		if e == nil {
			delete(ix.entries, id)
			delete(ix.shards[shardOf(id)], id)
			continue
		}
		ix.entries[id] = *e
		ix.shards[shardOf(id)][id] = struct{}{}
	}
	ix.stale = true
}

// loadSearch opens every shard of the index.
func loadSearch(tx *bolt.Tx, s *sealer) (*searchIndex, error) {
	ix := newSearchIndex()
	err := tx.Bucket(bucketSearch).ForEach(func(k, v []byte) error {
		plain, err := s.open(bucketSearch, k, v)
		if err != nil {
			return corrupt(fmt.Sprintf("search index shard %x", k), nil)
		}
		if err := ix.decodeShard(plain); err != nil {
			return corrupt(fmt.Sprintf("search index shard %x", k), err)
		}
		return nil
	})
	return ix, err
}

// errShort is returned when a shard ends inside an entry.
var errShort = errors.New("shard ends inside an entry")

// decodeShard adds the entries of one opened shard.
func (ix *searchIndex) decodeShard(b []byte) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return errShort
		}
		id := core.ID(hex.EncodeToString(b[:12]))
		b = b[12:]
		var parts [2]string
		for i := range parts {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w) {
				return errShort
			}
			parts[i] = string(b[w : w+int(n)])
			b = b[w+int(n):]
		}
		ix.entries[id] = searchEntry{name: parts[0], text: parts[1]}
		ix.shards[shardOf(id)][id] = struct{}{}
	}
	return nil
}

// rebuild joins the texts for scanning; the caller holds the write lock.
func (ix *searchIndex) rebuild() {
	ix.ids = ix.ids[:0]
	for id := range ix.entries {
		ix.ids = append(ix.ids, id)
	}
	slices.Sort(ix.ids)
	ix.flat = ix.flat[:0]
	ix.starts = ix.starts[:0]
	for _, id := range ix.ids {
		ix.flat = append(ix.flat, 0)
		ix.starts = append(ix.starts, len(ix.flat))
		ix.flat = append(ix.flat, ix.entries[id].text...)
	}
	ix.flat = append(ix.flat, 0)
	ix.starts = append(ix.starts, len(ix.flat))
	ix.grams = buildGrams(ix.flat, ix.starts)
	ix.stale = false
}

// maxCandidates bounds how many matches are ranked for one query: enough
// for a screenful of good ones, few enough that a one-letter query costs no
// more than a rare one.
const maxCandidates = 1000

// hit is one candidate match while ranking.
type hit struct {
	n     int // position in ids
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
	ix.mu.Lock()
	if ix.stale {
		ix.rebuild()
	}
	ix.mu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	lead := []byte(words[0])
	var hits []hit
	add := func(n, at int) {
		text := ix.flat[ix.starts[n] : ix.starts[n+1]-1]
		if !containsAll(text, words[1:]) {
			return
		}
		name, _, _ := bytes.Cut(text, []byte("|"))
		hits = append(hits, hit{n: n, score: score(text, at, words), name: name})
	}
	if len(lead) >= 3 {
		// Trigram lists narrow the field; the exact check confirms.
		for _, n := range ix.grams.candidates(lead) {
			text := ix.flat[ix.starts[n] : ix.starts[n+1]-1]
			if at := bytes.Index(text, lead); at >= 0 {
				add(int(n), at)
				if len(hits) >= maxCandidates {
					break
				}
			}
		}
	} else {
		// One or two letters match often: scan until enough are found.
		for off := 0; len(hits) < maxCandidates; {
			i := bytes.Index(ix.flat[off:], lead)
			if i < 0 {
				break
			}
			n := sort.SearchInts(ix.starts, off+i+1) - 1
			add(n, off+i-ix.starts[n])
			off = ix.starts[n+1] - 1
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			return b.score - a.score
		}
		if c := bytes.Compare(a.name, b.name); c != 0 {
			return c
		}
		return a.n - b.n
	})
	out := make([]core.ID, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, ix.ids[h.n])
	}
	return out
}

// queryWords folds a query into words, dropping the separator character.
// A word of digits and phone punctuation ("555-0134") is reduced to digits
// unless it is a date.
func queryWords(q string) []string {
	var out []string
	for _, w := range strings.Fields(fold(strings.ReplaceAll(q, "|", " "))) {
		if !datePrefix.MatchString(w) && strings.ContainsAny(w, "0123456789") && strings.Trim(w, "0123456789+-(). ") == "" {
			w = core.PhoneDigits(w)
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// datePrefix matches the start of a date of birth: 1984, 1984-03, 1984-03-27.
var datePrefix = regexp.MustCompile(`^\d{4}-\d{1,2}(-\d{1,2})?$`)

// containsAll reports whether text holds every word.
func containsAll(text []byte, words []string) bool {
	for _, w := range words {
		if !bytes.Contains(text, []byte(w)) {
			return false
		}
	}
	return true
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

// name returns the name of a patient, or "" when unknown.
func (ix *searchIndex) name(id core.ID) (string, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e, ok := ix.entries[id]
	return e.name, ok
}

// duplicates lists patients with the same folded name and date of birth.
func (ix *searchIndex) duplicates(name string, dob core.Date) []core.ID {
	want := fold(name)
	var out []core.ID
	for _, id := range ix.find(want+" "+string(dob), maxCandidates) {
		ix.mu.RLock()
		e := ix.entries[id]
		ix.mu.RUnlock()
		if e.foldedName() == want && strings.HasSuffix(e.text, "|"+string(dob)) {
			out = append(out, id)
		}
	}
	return out
}

// size is the number of patients indexed.
func (ix *searchIndex) size() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.entries)
}
