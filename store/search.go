package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	mu      sync.RWMutex // guards entries and version
	entries map[core.ID]searchEntry
	// version grows with every change applied to entries.
	version uint64

	buildMu sync.Mutex // one build at a time
	built   atomic.Pointer[scan]
}

// scan is what a search reads: every entry's text, then "|" and its folded
// name squashed (squash), joined by NUL (starts[i] is where ids[i]'s text
// begins; a sentinel start ends the last; the order
// is the map's, so ties in ranking are broken by ID), and the
// trigram lists over it. It is built from one version of the entries and
// never changed, so searches read it without locks.
type scan struct {
	version uint64
	flat    []byte
	starts  []int
	ids     []core.ID
	grams   *grams
}

// shardOf picks an ID's shard: its last byte, a random one.
func shardOf(id core.ID) byte {
	if len(id) < 2 {
		return 0
	}
	b, err := hex.DecodeString(string(id[len(id)-2:]))
	if err != nil {
		return 0
	}
	return b[0]
}

// searchBatch collects index changes of one transaction; they reach memory
// only after the transaction commits.
type searchBatch map[core.ID]*searchEntry

// stage records an entry (or a removal, when e is nil) for the batch.
func (b searchBatch) stage(id core.ID, e *searchEntry) { b[id] = e }

// persist writes every shard the batch touches, sealed, in tx.
func (ix *searchIndex) persist(tx *bolt.Tx, s *sealer, b searchBatch) error {
	if len(b) == 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	touched := map[byte]bool{}
	for id := range b {
		touched[shardOf(id)] = true
	}
	bufs := map[byte][]byte{}
	add := func(id core.ID, e searchEntry) {
		sh := shardOf(id)
		buf := append(bufs[sh], id.Bytes()...)
		buf = appendString(buf, e.name)
		bufs[sh] = appendString(buf, e.text)
	}
	// One pass over the index gathers every touched shard's other members.
	for id, e := range ix.entries {
		if _, changed := b[id]; !changed && touched[shardOf(id)] {
			add(id, e)
		}
	}
	for id, e := range b {
		if e != nil {
			add(id, *e)
		}
	}
	bucket := tx.Bucket(bucketSearch)
	for sh := range touched {
		key := []byte{sh}
		if err := bucket.Put(key, s.seal(bucketSearch, key, bufs[sh])); err != nil {
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
			continue
		}
		ix.entries[id] = *e
	}
	ix.version++
}

// loadSearch opens every shard of the index, spreading the work over the
// processor's cores, and starts building the scan and trigram structures in
// the background; the first search waits for them.
func loadSearch(tx *bolt.Tx, s *sealer) (*searchIndex, error) {
	type shard struct{ key, sealed []byte }
	var shards []shard
	err := tx.Bucket(bucketSearch).ForEach(func(k, v []byte) error {
		shards = append(shards, shard{k, v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	parts := make([][]idEntry, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The shards are in bbolt's map: this goroutine reads them
			// under guard too.
			errs[w] = guard(tx.DB().Path(), func() error {
				for i := w; i < len(shards); i += workers {
					plain, err := s.open(bucketSearch, shards[i].key, shards[i].sealed)
					if err != nil {
						return corrupt(fmt.Sprintf("search index shard %x", shards[i].key), nil)
					}
					if parts[w], err = decodeShard(parts[w], plain); err != nil {
						return corrupt(fmt.Sprintf("search index shard %x", shards[i].key), err)
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	ix := &searchIndex{entries: make(map[core.ID]searchEntry, n), version: 1}
	for _, p := range parts {
		for _, e := range p {
			ix.entries[e.id] = e.searchEntry
		}
	}
	go ix.current()
	return ix, nil
}

// idEntry is a decoded shard entry.
type idEntry struct {
	id core.ID
	searchEntry
}

// errShort is returned when a shard ends inside an entry.
var errShort = errors.New("shard ends inside an entry")

// decodeShard appends the entries of one opened shard to out.
func decodeShard(out []idEntry, b []byte) ([]idEntry, error) {
	for len(b) > 0 {
		if len(b) < 12 {
			return out, errShort
		}
		id := core.ID(hex.EncodeToString(b[:12]))
		b = b[12:]
		var parts [2]string
		for i := range parts {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w) {
				return out, errShort
			}
			parts[i] = string(b[w : w+int(n)])
			b = b[w+int(n):]
		}
		out = append(out, idEntry{id, searchEntry{name: parts[0], text: parts[1]}})
	}
	return out, nil
}

// current returns the scan structures for the newest version of the
// entries, building them first when a change made them stale.
func (ix *searchIndex) current() *scan {
	ix.mu.RLock()
	v := ix.version
	ix.mu.RUnlock()
	if sc := ix.built.Load(); sc != nil && sc.version == v {
		return sc
	}
	ix.buildMu.Lock()
	defer ix.buildMu.Unlock()
	ix.mu.RLock()
	sc := ix.built.Load()
	if sc != nil && sc.version == ix.version {
		ix.mu.RUnlock()
		return sc
	}
	sc = &scan{version: ix.version, ids: make([]core.ID, 0, len(ix.entries))}
	for id := range ix.entries {
		sc.ids = append(sc.ids, id)
	}
	sc.starts = make([]int, 0, len(sc.ids)+1)
	for _, id := range sc.ids {
		sc.flat = append(sc.flat, 0)
		sc.starts = append(sc.starts, len(sc.flat))
		e := ix.entries[id]
		sc.flat = append(sc.flat, e.text...)
		// The name once more without spaces and punctuation, so that
		// "obrien" finds O'Brien and "delacruz" de la Cruz; memory only,
		// never in the stored shards.
		sc.flat = append(append(sc.flat, '|'), squash(e.foldedName())...)
	}
	ix.mu.RUnlock()
	sc.flat = append(sc.flat, 0)
	sc.starts = append(sc.starts, len(sc.flat))
	sc.grams = buildGrams(sc.flat, sc.starts)
	ix.built.Store(sc)
	return sc
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
	sc := ix.current()
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	lead := []byte(words[0])
	var hits []hit
	add := func(n, at int) {
		text := sc.flat[sc.starts[n] : sc.starts[n+1]-1]
		if !containsAll(text, words[1:]) {
			return
		}
		name, _, _ := bytes.Cut(text, []byte("|"))
		hits = append(hits, hit{n: n, score: score(text, at, words), name: name})
	}
	if len(lead) >= 3 {
		// Trigram lists narrow the field; the exact check confirms.
		for _, n := range sc.grams.candidates(lead) {
			text := sc.flat[sc.starts[n] : sc.starts[n+1]-1]
			if at := bestMatch(text, lead); at >= 0 {
				add(int(n), at)
				if len(hits) >= maxCandidates {
					break
				}
			}
		}
	} else {
		// One or two letters match often: scan until enough are found.
		for off := 0; len(hits) < maxCandidates; {
			i := bytes.Index(sc.flat[off:], lead)
			if i < 0 {
				break
			}
			n := sort.SearchInts(sc.starts, off+i+1) - 1
			add(n, bestMatch(sc.flat[sc.starts[n]:sc.starts[n+1]-1], lead))
			off = sc.starts[n+1] - 1
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.score != b.score {
			return b.score - a.score
		}
		if c := bytes.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(string(sc.ids[a.n]), string(sc.ids[b.n]))
	})
	out := make([]core.ID, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, sc.ids[h.n])
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

// datePrefix matches the start of a date of birth: 1984, 1984-03, 1984-03-27.
var datePrefix = regexp.MustCompile(`^\d{4}-\d{1,2}(-\d{1,2})?$`)

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
