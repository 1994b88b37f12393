package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
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
// In memory it is a scan, flat arrays searches read without locks, and the
// entries changed since that scan was built. A search reads both, through
// a view; once more than maxChanged entries have changed, the next search
// builds the next scan from both, so that an edit costs the search after it
// nothing and a large sync pull costs it one build.
type searchIndex struct {
	mu   sync.RWMutex // guards base, changed and count
	base *scan
	// changed are the entries applied since base was built; nil means
	// the patient is no longer indexed.
	changed map[core.ID]*searchEntry
	// count is the number of patients indexed.
	count int
	// view is what searches read: base and changed; nil when changed
	// has outgrown maxChanged.
	view atomic.Pointer[searchView]

	buildMu sync.Mutex // one build of the next scan at a time
}

// maxChanged is how many changed entries searches read beside the scan
// before the next search builds a new scan: a few hundred are checked in
// well under a millisecond, and building the scan of 100,000 patients
// takes some 70 ms and, for a while, the memory of two.
const maxChanged = 512

// searchView is one version of the index as a search reads it: the entries
// of base not marked in dead, and extra. It is never changed once made.
type searchView struct {
	base  *scan
	dead  []uint64 // bit n: base entry n changed
	extra []extraEntry
}

// extraEntry is a changed entry as a search reads it.
type extraEntry struct {
	id   [12]byte
	text []byte // as in a scan: the stored text, "|", the squashed name
}

// newSearchIndex is the index of the entries in base.
func newSearchIndex(base *scan) *searchIndex {
	ix := &searchIndex{base: base, changed: map[core.ID]*searchEntry{}, count: base.size()}
	ix.view.Store(&searchView{base: base})
	return ix
}

// makeView is the view of base and changed; ix.mu is held.
func (ix *searchIndex) makeView() *searchView {
	v := &searchView{base: ix.base}
	if len(ix.changed) == 0 {
		return v
	}
	v.dead = make([]uint64, (ix.base.size()+63)/64)
	for id, e := range ix.changed {
		k, _ := idKey(id) // apply keeps only well-formed IDs
		if n := ix.base.lookup(k); n >= 0 {
			v.dead[n/64] |= 1 << (n % 64)
		}
		if e != nil {
			text := appendSquash(append([]byte(e.text), '|'), []byte(e.foldedName()))
			v.extra = append(v.extra, extraEntry{id: k, text: text})
		}
	}
	slices.SortFunc(v.extra, func(a, b extraEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
	return v
}

// isDead reports whether base entry n has changed.
func (v *searchView) isDead(n int) bool { return v.dead != nil && v.dead[n/64]&(1<<(n%64)) != 0 }

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

// metaSearchStale marks a store whose search shards lag its patient
// records: a sync catch-up writes it in its first transaction, beside the
// records, and the write that reseals every shard deletes it. A store
// opened with it has its index rebuilt from the records.
var metaSearchStale = []byte("search_stale")

// deferSearchMin is how many patients a pulled transaction changes for its
// shards to be left stale: that many touch most of the 256 shards, and
// resealing them all once at the end of a catch-up, not in each of its
// transactions, is what saves the work.
const deferSearchMin = 256

// persistSearch brings the search shards of the transaction's batch to
// disk. A pulled transaction that changes many patients (t.deferSearch)
// instead marks the shards stale, in the same commit as its records, and
// one that follows a stale mark leaves them so; the next other write
// reseals every shard from memory and clears the mark.
func (t *txn) persistSearch() error {
	meta := t.tx.Bucket(bucketMeta)
	stale := meta.Get(metaSearchStale) != nil
	switch {
	case t.deferSearch && stale:
		return nil
	case t.deferSearch && len(t.search) >= deferSearchMin:
		return meta.Put(metaSearchStale, []byte{1})
	case !stale:
		return t.s.db.search.persist(t.tx, t.keys.store, t.search)
	}
	if err := t.s.db.search.persistShards(t.tx, t.keys.store, t.search, true); err != nil {
		return err
	}
	return meta.Delete(metaSearchStale)
}

// persist writes every shard the batch touches, sealed, in tx.
func (ix *searchIndex) persist(tx *bolt.Tx, s *sealer, b searchBatch) error {
	return ix.persistShards(tx, s, b, false)
}

// persistShards writes every shard the batch touches, sealed, in tx; with
// all, every shard, deleting those left empty, as a rebuild leaves them.
func (ix *searchIndex) persistShards(tx *bolt.Tx, s *sealer, b searchBatch, all bool) error {
	if len(b) == 0 && !all {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var touched [256]bool
	for id := range b {
		touched[shardOf(id)] = true
	}
	if all {
		for sh := range touched {
			touched[sh] = true
		}
	}
	bufs := map[byte][]byte{}
	add := func(sh byte, id []byte, name, text string) {
		buf := append(bufs[sh], id...)
		buf = appendString(buf, name)
		bufs[sh] = appendString(buf, text)
	}
	// One pass over the scan gathers every touched shard's other members,
	// then the entries changed since it was built, then the batch.
	var hexID [24]byte
	for n := range ix.base.size() {
		raw := ix.base.rawID(n)
		if !touched[raw[11]] {
			continue
		}
		hex.Encode(hexID[:], raw)
		id := core.ID(hexID[:])
		if _, ok := ix.changed[id]; ok {
			continue
		}
		if _, ok := b[id]; ok {
			continue
		}
		add(raw[11], raw, string(ix.base.name(n)), string(ix.base.stored(n)))
	}
	addAll := func(m map[core.ID]*searchEntry, skip searchBatch) {
		var ids []core.ID
		for id, e := range m {
			if _, later := skip[id]; e != nil && !later && touched[shardOf(id)] {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids) // the same entries make the same shard
		for _, id := range ids {
			add(shardOf(id), id.Bytes(), m[id].name, m[id].text)
		}
	}
	addAll(ix.changed, b)
	addAll(b, nil)
	bucket := tx.Bucket(bucketSearch)
	for sh := range 256 {
		if !touched[sh] {
			continue
		}
		key := []byte{byte(sh)}
		if all && len(bufs[byte(sh)]) == 0 {
			if err := bucket.Delete(key); err != nil {
				return fmt.Errorf("store: deleting search shard: %w", err)
			}
			continue
		}
		if err := bucket.Put(key, s.seal(bucketSearch, key, bufs[byte(sh)])); err != nil {
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
		if _, ok := idKey(id); !ok {
			continue // never indexed: a patient's ID is well-formed
		}
		if ix.has(id) {
			ix.count--
		}
		if e != nil {
			ix.count++
		}
		ix.changed[id] = e
	}
	if len(ix.changed) > maxChanged {
		ix.view.Store(nil)
	} else {
		ix.view.Store(ix.makeView())
	}
}

// has reports whether a patient is indexed; ix.mu is held.
func (ix *searchIndex) has(id core.ID) bool {
	if e, ok := ix.changed[id]; ok {
		return e != nil
	}
	k, ok := idKey(id)
	return ok && ix.base.lookup(k) >= 0
}

// entry is what the index holds of a patient.
func (ix *searchIndex) entry(id core.ID) (searchEntry, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if e, ok := ix.changed[id]; ok {
		if e == nil {
			return searchEntry{}, false
		}
		return *e, true
	}
	k, ok := idKey(id)
	if !ok {
		return searchEntry{}, false
	}
	if n := ix.base.lookup(k); n >= 0 {
		return ix.base.entry(n), true
	}
	return searchEntry{}, false
}

// loadSearch opens every shard of the index and lays its entries out in
// one scan, spreading the work over the processor's cores in two passes:
// open and measure each shard, then, the scan's arrays allocated once at
// their size, copy each shard's entries into its place. The trigram lists
// are built in the background; the first search waits for them.
func loadSearch(tx *bolt.Tx, s *sealer) (*searchIndex, error) {
	type shard struct {
		key, sealed, plain []byte
		n, flat, names     int // entries and their sizes (entrySize)
		first, flatOff     int // where they go in the scan
		nameOff            int
	}
	var shards []shard
	err := tx.Bucket(bucketSearch).ForEach(func(k, v []byte) error {
		shards = append(shards, shard{key: k, sealed: v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	each := func(fn func(sh *shard) error) error {
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The shards are in bbolt's map: this goroutine reads
				// them under guard too.
				errs[w] = guard(tx.DB().Path(), func() error {
					for i := w; i < len(shards); i += workers {
						if err := fn(&shards[i]); err != nil {
							return err
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	err = each(func(sh *shard) error {
		plain, err := s.open(bucketSearch, sh.key, sh.sealed)
		if err != nil {
			return corrupt(fmt.Sprintf("search index shard %x", sh.key), nil)
		}
		sh.plain = plain
		err = walkShard(plain, func(_, name, text []byte) {
			flat, names := entrySize(name, text)
			sh.n, sh.flat, sh.names = sh.n+1, sh.flat+flat, sh.names+names
		})
		if err != nil {
			return corrupt(fmt.Sprintf("search index shard %x", sh.key), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(shards) > 0 {
		// Opened, the sealed shards are never read again.
		dropMapped(tx, shards[0].sealed)
	}
	n, flat, names := 0, 0, 0
	for i := range shards {
		sh := &shards[i]
		sh.first, sh.flatOff, sh.nameOff = n, flat, names
		n, flat, names = n+sh.n, flat+sh.flat, names+sh.names
	}
	sc := newScan(n, flat, names)
	err = each(func(sh *shard) error {
		f := sc.fill(sh.first, sh.n, sh.flatOff, sh.flat, sh.nameOff, sh.names)
		_ = walkShard(sh.plain, f.add) // it walked once already, whole
		sh.plain = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !sc.index() {
		return nil, corrupt("search index", errors.New("a patient is in it twice"))
	}
	// An unlock borrows far more memory than the index keeps: Argon2id's
	// 64 MiB, the opened shards, the build's counters. Left to itself,
	// the runtime collects next at twice the heap its last collection
	// found, Argon2id's block included, and returns the pages minutes
	// after: a workstation sat at over 100 MB with 100,000 patients
	// where it needs under 40. One collection once the trigram lists are
	// built hands it all back; the first search waits for both.
	sc.settle = true
	go sc.trigrams()
	return newSearchIndex(sc), nil
}

// idEntry is a decoded shard entry.
type idEntry struct {
	id core.ID
	searchEntry
}

// errShort is returned when a shard ends inside an entry.
var errShort = errors.New("shard ends inside an entry")

// walkShard calls fn with the 12 ID bytes, the name and the text of every
// entry of an opened shard, in order; the slices are parts of b.
func walkShard(b []byte, fn func(id, name, text []byte)) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return errShort
		}
		id := b[:12]
		b = b[12:]
		var parts [2][]byte
		for i := range parts {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w) {
				return errShort
			}
			parts[i] = b[w : w+int(n)]
			b = b[w+int(n):]
		}
		fn(id, parts[0], parts[1])
	}
	return nil
}

// decodeShard appends the entries of one opened shard to out.
func decodeShard(out []idEntry, b []byte) ([]idEntry, error) {
	err := walkShard(b, func(id, name, text []byte) {
		out = append(out, idEntry{core.ID(hex.EncodeToString(id)), searchEntry{name: string(name), text: string(text)}})
	})
	return out, err
}

// current returns the view of the newest entries, its scan's trigram
// lists built, building a new scan first when too many entries changed.
func (ix *searchIndex) current() *searchView {
	v := ix.view.Load()
	if v == nil {
		v = ix.rebase()
	}
	v.base.trigrams()
	return v
}

// rebase builds the next scan from the last one and the entries changed
// since, in arrays allocated once at their size, makes it the base and
// returns the view of it.
func (ix *searchIndex) rebase() *searchView {
	ix.buildMu.Lock()
	defer ix.buildMu.Unlock()
	ix.mu.RLock()
	old, changed := ix.base, maps.Clone(ix.changed)
	v := ix.view.Load()
	ix.mu.RUnlock()
	if v != nil {
		return v // built meanwhile
	}
	replaced := make(map[[12]byte]bool, len(changed))
	var added []core.ID
	for id, e := range changed {
		k, _ := idKey(id) // apply keeps only well-formed IDs
		replaced[k] = true
		if e != nil {
			added = append(added, id)
		}
	}
	slices.Sort(added)
	n, flat, names := 0, 0, 0
	for e := range old.size() {
		if !replaced[[12]byte(old.rawID(e))] {
			n, flat, names = n+1, flat+int(old.starts[e+1]-old.starts[e]), names+len(old.name(e))
		}
	}
	for _, id := range added {
		fl, nm := entrySize([]byte(changed[id].name), []byte(changed[id].text))
		n, flat, names = n+1, flat+fl, names+nm
	}
	sc := newScan(n, flat, names)
	f := sc.fill(0, n, 0, flat, 0, names)
	for e := range old.size() {
		if !replaced[[12]byte(old.rawID(e))] {
			f.copyFrom(old, e)
		}
	}
	for _, id := range added {
		k, _ := idKey(id)
		f.add(k[:], []byte(changed[id].name), []byte(changed[id].text))
	}
	sc.index()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.base = sc
	for id, e := range changed {
		if ix.changed[id] == e {
			delete(ix.changed, id)
		}
	}
	// What changed during the build is read beside the new scan, however
	// much it is: this search has waited for one build already.
	v = ix.makeView()
	ix.view.Store(v)
	return v
}

// name returns the name of a patient, or "" when unknown.
func (ix *searchIndex) name(id core.ID) (string, bool) {
	e, ok := ix.entry(id)
	return e.name, ok
}

// duplicates lists patients with the same folded name and date of birth.
func (ix *searchIndex) duplicates(name string, dob core.Date) []core.ID {
	want := fold(name)
	var out []core.ID
	for _, id := range ix.find(want+" "+string(dob), maxCandidates) {
		e, _ := ix.entry(id)
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
	return ix.count
}
