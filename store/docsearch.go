package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"medisecure/core"
)

// docEntry is what the document text index keeps of one document: its
// patient, its date for ordering, its type and title for the results, and
// the text read from it, so a search opens no record.
type docEntry struct {
	patient core.ID
	date    string
	typ     core.DocumentType
	title   string
	text    string
}

// docIndex is the in-memory document text index. On disk it is 256 sealed
// shards (by the last byte of the document ID), so no word of a document
// is ever in clear in the file. It is loaded on the first search, not at
// login: most sessions never search documents.
type docIndex struct {
	mu      sync.RWMutex // guards entries, loaded and version
	loaded  bool
	entries map[core.ID]docEntry
	version uint64

	buildMu sync.Mutex // one build at a time
	built   atomic.Pointer[docScan]
}

// docScan is what a search reads: every document's folded text joined by
// NUL (starts[i] is where ids[i]'s text begins, with a sentinel), and the
// trigram lists over it. Documents are in the order results are shown,
// newest first, so a search stops at the first limit that match. It is
// built from one version and never changed.
type docScan struct {
	version uint64
	flat    []byte
	starts  []int
	ids     []core.ID
	grams   *grams
}

// encodeDocShard writes a shard's entries.
func encodeDocShard(entries map[core.ID]docEntry) []byte {
	ids := make([]core.ID, 0, len(entries))
	for id := range entries {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b []byte
	for _, id := range ids {
		e := entries[id]
		b = append(b, id.Bytes()...)
		b = appendString(b, string(e.patient))
		b = appendString(b, e.date)
		b = appendString(b, string(e.typ))
		b = appendString(b, e.title)
		b = appendString(b, e.text)
	}
	return b
}

// decodeDocShard reads a shard written by encodeDocShard into out.
func decodeDocShard(out map[core.ID]docEntry, b []byte) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return errShort
		}
		id := core.ID(hex.EncodeToString(b[:12]))
		b = b[12:]
		var parts [5]string
		for i := range parts {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w) {
				return errShort
			}
			parts[i] = string(b[w : w+int(n)])
			b = b[w+int(n):]
		}
		out[id] = docEntry{patient: core.ID(parts[0]), date: parts[1], typ: core.DocumentType(parts[2]), title: parts[3], text: parts[4]}
	}
	return nil
}

// readDocShard opens one shard of the index in tx; a missing one is empty.
func (t *txn) readDocShard(sh byte) (map[core.ID]docEntry, error) {
	out := map[core.ID]docEntry{}
	b := t.tx.Bucket(bucketDocSearch)
	if b == nil {
		return out, nil
	}
	key := []byte{sh}
	v := b.Get(key)
	if v == nil {
		return out, nil
	}
	dk, err := t.docKeys()
	if err != nil {
		return nil, err
	}
	plain, err := dk.open(bucketDocSearch, key, v)
	if err != nil {
		return nil, corrupt(fmt.Sprintf("document index shard %x", sh), nil)
	}
	if err := decodeDocShard(out, plain); err != nil {
		return nil, corrupt(fmt.Sprintf("document index shard %x", sh), err)
	}
	return out, nil
}

// indexDocument files a document under its patient and reseals its shard
// of the text index with the document's current text; memory follows when
// the transaction commits.
func (t *txn) indexDocument(d *core.Document) error {
	if d.PatientID.Bytes() == nil || d.ID.Bytes() == nil {
		return nil
	}
	key := append(t.documentPrefix(d.PatientID), d.ID.Bytes()...)
	if err := t.tx.Bucket(bucketSchedule).Put(key, nil); err != nil {
		return err
	}
	sh := shardOf(d.ID)
	entries, err := t.readDocShard(sh)
	if err != nil {
		return err
	}
	var e *docEntry
	if d.Deleted || d.ExtractedText == "" {
		delete(entries, d.ID)
	} else {
		e = &docEntry{patient: d.PatientID, date: documentDate(d), typ: d.Type, title: d.Title, text: d.ExtractedText}
		entries[d.ID] = *e
	}
	b, err := t.tx.CreateBucketIfNotExists(bucketDocSearch)
	if err != nil {
		return err
	}
	dk, err := t.docKeys()
	if err != nil {
		return err
	}
	skey := []byte{sh}
	if err := b.Put(skey, dk.seal(bucketDocSearch, skey, encodeDocShard(entries))); err != nil {
		return fmt.Errorf("store: writing document index shard: %w", err)
	}
	ix, id := &t.s.db.docs, d.ID
	t.tx.OnCommit(func() { ix.apply(id, e) })
	return nil
}

// documentDate is the date a document sorts by: its own, else the day it
// was added.
func documentDate(d *core.Document) string {
	if d.Date != "" {
		return string(d.Date)
	}
	return d.CreatedAt.UTC().Format("2006-01-02")
}

// documentPrefix is the index prefix of one patient's documents.
func (t *txn) documentPrefix(patient core.ID) []byte {
	return append([]byte{classDocument}, t.owner(classDocument, string(patient))...)
}

// documentIDs lists the IDs of a patient's documents.
func (t *txn) documentIDs(patient core.ID) []core.ID {
	prefix := t.documentPrefix(patient)
	var out []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
		if len(key) == len(prefix)+12 {
			out = append(out, core.ID(hex.EncodeToString(key[len(prefix):])))
		}
	}
	return out
}

// apply brings one committed change into memory, when the index is loaded
// (else the load reads it from the file).
func (ix *docIndex) apply(id core.ID, e *docEntry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.loaded {
		return
	}
	if e == nil {
		delete(ix.entries, id)
	} else {
		ix.entries[id] = *e
	}
	ix.version++
}

// load opens every shard once per process. It holds the lock while it
// reads, so a commit that lands meanwhile applies after it (applying an
// entry twice is harmless).
func (ix *docIndex) load(s *Session) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.loaded {
		return nil
	}
	entries := map[core.ID]docEntry{}
	err := s.view(func(t *txn) error {
		b := t.tx.Bucket(bucketDocSearch)
		if b == nil {
			return nil
		}
		dk, err := t.docKeys()
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 1 {
				return corrupt("document index", nil)
			}
			plain, err := dk.open(bucketDocSearch, k, v)
			if err != nil {
				return corrupt(fmt.Sprintf("document index shard %x", k), nil)
			}
			if err := decodeDocShard(entries, plain); err != nil {
				return corrupt(fmt.Sprintf("document index shard %x", k), err)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	ix.entries, ix.loaded = entries, true
	ix.version++
	return nil
}

// current returns the scan for the newest version, building it when stale.
func (ix *docIndex) current() *docScan {
	ix.mu.RLock()
	v := ix.version
	ix.mu.RUnlock()
	if sc := ix.built.Load(); sc != nil && sc.version == v {
		return sc
	}
	ix.buildMu.Lock()
	defer ix.buildMu.Unlock()
	ix.mu.RLock()
	if sc := ix.built.Load(); sc != nil && sc.version == ix.version {
		ix.mu.RUnlock()
		return sc
	}
	sc := &docScan{version: ix.version, ids: make([]core.ID, 0, len(ix.entries))}
	for id := range ix.entries {
		sc.ids = append(sc.ids, id)
	}
	slices.SortFunc(sc.ids, func(a, b core.ID) int {
		if c := strings.Compare(ix.entries[b].date, ix.entries[a].date); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	sc.starts = make([]int, 0, len(sc.ids)+1)
	for _, id := range sc.ids {
		sc.flat = append(sc.flat, 0)
		sc.starts = append(sc.starts, len(sc.flat))
		sc.flat = append(sc.flat, fold(ix.entries[id].text)...)
	}
	ix.mu.RUnlock()
	sc.flat = append(sc.flat, 0)
	sc.starts = append(sc.starts, len(sc.flat))
	sc.grams = buildGrams(sc.flat, sc.starts)
	ix.built.Store(sc)
	return sc
}

// docHit is one document whose text holds every word of a query.
type docHit struct {
	id    core.ID
	entry docEntry
}

// find returns up to limit documents whose text holds every folded word
// of the query and that keep accepts, newest first. The trigram lists of
// every word of three letters or more narrow the documents to check, and
// the check stops once limit are found.
func (ix *docIndex) find(query string, limit int, keep func(docEntry) bool) []docHit {
	words := strings.Fields(fold(query))
	if len(words) == 0 || limit <= 0 {
		return nil
	}
	sc := ix.current()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var hits []docHit
	consider := func(n int) bool {
		e, ok := ix.entries[sc.ids[n]]
		if ok && containsAll(sc.flat[sc.starts[n]:sc.starts[n+1]-1], words) && keep(e) {
			hits = append(hits, docHit{sc.ids[n], e})
		}
		return len(hits) < limit
	}
	var cands []int32
	narrowed := false
	for _, w := range words {
		if len(w) < 3 {
			continue
		}
		c := sc.grams.candidates([]byte(w))
		if narrowed {
			c = intersect(cands, c)
		}
		cands, narrowed = c, true
	}
	if !narrowed {
		for n := range sc.ids {
			if !consider(n) {
				break
			}
		}
		return hits
	}
	for _, n := range cands {
		if !consider(int(n)) {
			break
		}
	}
	return hits
}

// matchingLine is the first line of text holding every word of the query
// (folded), trimmed; the first line holding the longest word when no line
// holds them all.
func matchingLine(text, query string) string {
	words := strings.Fields(fold(query))
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	lines := strings.Split(text, "\n")
	for _, want := range []int{len(words), 1} {
		for _, l := range lines {
			if containsAll([]byte(fold(l)), words[:min(want, len(words))]) {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}
