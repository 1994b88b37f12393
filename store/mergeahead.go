package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"sync"

	"medisecure/core"
)

// Merging a pulled change has a part that depends only on the change: is
// it well formed (core.Change.Validate), and, for a record new here (the
// common case of a catch-up), what the record is after it, its encoding
// and the entity its fields decode to. That part runs ahead on another
// goroutine while the transaction merges the changes before it; the merge
// itself, and the order changes merge in, stay as they were.

// aheadChunk is how many changes the goroutine ahead prepares before the
// merge may take them.
const aheadChunk = 128

// aheadMin is how many changes a transaction merges, at least, for the
// goroutine ahead to pay: a catch-up's transactions of thousands. Below
// it (a pull beside a push that brings a batch or two at a time) the same
// preparation runs in line, and the cores stay with the push.
const aheadMin = 2000

// prepared is the part of merging a change that depends on the change
// alone.
type prepared struct {
	// ready is set once the change is prepared.
	ready bool
	// invalid is what core.Change.Validate said.
	invalid error
	// rec is what the change makes of an empty record and encoded its
	// encodeRecord; nil for an invalid change.
	rec     *core.Record
	encoded []byte
	// sealed is encoded sealed by sealer, to be stored as it is when the
	// merging transaction seals the kind with the same sealer; nil when
	// not sealed ahead (Session.PrepareBatch seals, Prepare does not).
	sealed []byte
	sealer *sealer
	// fresh is the entity rec decodes to when its kind feeds an index,
	// nil otherwise or when it does not decode.
	fresh core.Entity
	// entry is fresh's search entry when fresh is a live patient.
	entry *searchEntry
}

// ahead prepares changes on a goroutine of its own, chunk by chunk, in
// order.
type ahead struct {
	out  []prepared
	done []chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

// prepareAhead prepares changes, on a goroutine of its own when
// parallel; the caller takes each with get, in any order, and calls close
// once done, before changes is changed. given, when not nil, holds the
// changes prepared already (PulledBatch.Prepare): those whose ready is set
// are taken as they are.
func prepareAhead(changes []core.Change, parallel bool, given []prepared) *ahead {
	a := &ahead{out: make([]prepared, len(changes)), stop: make(chan struct{})}
	chunks := (len(changes) + aheadChunk - 1) / aheadChunk
	a.done = make([]chan struct{}, chunks)
	for i := range a.done {
		a.done[i] = make(chan struct{})
	}
	missing := len(changes)
	if given != nil {
		missing = 0
		for i := range given {
			if given[i].ready {
				a.out[i] = given[i]
			} else {
				missing++
			}
		}
	}
	if !parallel || missing == 0 {
		for i := range changes {
			if !a.out[i].ready {
				a.out[i] = prepare(&changes[i])
			}
		}
		for _, d := range a.done {
			close(d)
		}
		return a
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for k := range chunks {
			select {
			case <-a.stop:
				return
			default:
			}
			for i := k * aheadChunk; i < min((k+1)*aheadChunk, len(changes)); i++ {
				if !a.out[i].ready {
					a.out[i] = prepare(&changes[i])
				}
			}
			close(a.done[k])
		}
	}()
	return a
}

// prepare does the part of merging c that depends on c alone.
func prepare(c *core.Change) prepared {
	p := prepared{ready: true, invalid: c.Validate()}
	if p.invalid != nil {
		return p
	}
	// What Apply makes of an empty record, its map sized once: a catch-up
	// prepares a record a change.
	p.rec = &core.Record{Kind: c.Kind, ID: c.ID, Fields: make(map[string]core.Field, len(c.Fields))}
	p.rec.Apply(c)
	p.encoded = encodeRecord(p.rec)
	if !hasIndex(c.Kind) {
		return p
	}
	if e, err := decodeEntity(p.rec); err == nil {
		p.fresh = e
		if pt, ok := e.(*core.Patient); ok && !pt.Deleted {
			entry := entryFor(pt)
			p.entry = &entry
		}
	}
	return p
}

// get waits for change i to be prepared.
func (a *ahead) get(i int) *prepared {
	<-a.done[i/aheadChunk]
	return &a.out[i]
}

// close stops the goroutine and waits for it.
func (a *ahead) close() {
	close(a.stop)
	a.wg.Wait()
}

// Prepare does, before the transaction that merges the batch, the part of
// merging its changes that depends on each change alone (what
// prepareAhead does inside it): a sync client calls it for the batches it
// opened while the store merges and commits the ones before, so that
// work leaves the merge. Only changes whose fields travel in clear are
// prepared; a sealed change's opened form depends on the keys the
// session holds when it merges, and is prepared in the transaction.
// Prepare may run on any goroutine, beside any transaction; b.Changes
// must not change after it.
func (b *PulledBatch) Prepare() {
	if b.Refused != "" || len(b.Changes) == 0 {
		return
	}
	out := make([]prepared, len(b.Changes))
	for i := range b.Changes {
		c := &b.Changes[i]
		if _, err := sealedOf(c); errors.Is(err, errNotSealed) {
			out[i] = prepare(c)
		}
	}
	b.prepared, b.preparedOf = out, b.Changes
}

// sameSlice reports whether a and b are the same slice of changes: the
// same length over the same array, not merely equal.
func sameSlice(a, b []core.Change) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// preparedFor is what Prepare made of the batch's changes, nil when it
// did not run or the changes are not those it prepared.
func (b *PulledBatch) preparedFor() []prepared {
	if b.prepared == nil || !sameSlice(b.preparedOf, b.Changes) {
		return nil
	}
	return b.prepared
}

// verified is core.VerifyAuthors of a batch's changes as they came, with
// the author key it took for each change it checked a signature of. A key
// depends on the change's author and time alone (txn.authorKey).
type verified struct {
	of   []core.Change
	why  []string
	keys map[authorAt]ed25519.PublicKey
}

// authorAt is an author at a time: what picks their key.
type authorAt struct {
	author string
	hlc    core.HLC
}

// PrepareBatch is b.Prepare, and also checks the authors' signatures of
// b's changes as they came, under the directory as the store holds it
// now, in a read-only transaction of its own. The transaction that merges
// b takes that check only when its changes merge as they came and the
// directory gives it the very keys the check took; otherwise it checks
// them again itself. The digests of the changes as they were opened
// (b.Digests) are taken where they still hold (core.Digests). Like
// Prepare, it may run beside any transaction.
func (s *Session) PrepareBatch(b *PulledBatch) {
	b.Prepare()
	if b.Refused != "" || len(b.Changes) == 0 {
		return
	}
	// Records new here are sealed ahead too, under the keys the store
	// holds now; the merge takes a sealed record only from the very
	// sealer it would seal it with (txn.putPrepared).
	keys := s.db.keys
	for i := range b.prepared {
		p := &b.prepared[i]
		if p.rec == nil {
			continue
		}
		if sl, err := keys.sealerOf(p.rec.Kind); err == nil {
			bucket, key := recordKey(p.rec.Kind, p.rec.ID)
			p.sealed, p.sealer = sl.seal(bucket, key, p.encoded), sl
		}
	}
	v := &verified{of: b.Changes, keys: map[authorAt]ed25519.PublicKey{}}
	err := s.view(func(t *txn) error {
		v.why = core.VerifyAuthorsDigested(b.Changes, b.Digests, func(c *core.Change) ed25519.PublicKey {
			pub := t.authorKey(c)
			v.keys[authorAt{c.Author, c.HLC}] = pub
			return pub
		})
		return nil
	})
	if err == nil {
		b.verified = v
	}
}

// verifiedFor is what PrepareBatch checked of the batch's signatures, nil
// when it did not run or the changes are not those it checked.
func (b *PulledBatch) verifiedFor() *verified {
	if b.verified == nil || !sameSlice(b.verified.of, b.Changes) {
		return nil
	}
	return b.verified
}

// takes reports whether a transaction merging plain, the changes v
// checked opened as they came, may take v's check: its directory gives
// every author at every time v took a key for the key v took.
func (v *verified) takes(t *txn, plain []core.Change) bool {
	if v == nil || len(v.why) != len(plain) {
		return false
	}
	for at, pub := range v.keys {
		if !bytes.Equal(t.authorKey(&core.Change{Author: at.author, HLC: at.hlc}), pub) {
			return false
		}
	}
	return true
}
