package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"medisecure/core"
)

// Quarantined is a change or a whole batch that arrived by sync and that
// the store refused: an author not in the directory or not permitted to
// make it, a malformed change, a clock too far ahead, a batch that does
// not verify or open. It is kept aside (sealed), listed for admins, never
// applied and never blocking the rest. A change refused for a reason that
// can pass (its author's directory entry arriving later, the clock that
// was ahead no longer being so) is tried again at every sync.
type Quarantined struct {
	// Device, First and Last say which batch it came in, as its header
	// claims.
	Device string `json:"device"`
	First  uint64 `json:"first,omitempty"`
	Last   uint64 `json:"last,omitempty"`
	// Change is the refused change; nil when the whole batch was refused.
	Change *core.Change `json:"change,omitempty"`
	// Reason says in words why it was refused.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	// Envelope is a refused batch's bytes as they came.
	Envelope []byte `json:"envelope,omitempty"`
}

// Kinds of quarantine entry, the first byte of their key.
const (
	quarantinedChange = 'c'
	quarantinedBatch  = 'b'
)

// quarantineKey is an entry's key: its kind, the device, the change's
// sequence and ID or the batch's first sequence and digest.
func quarantineKey(kind byte, device string, seq uint64, tail []byte) []byte {
	k := append([]byte{kind}, device...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(k, tail...)
}

// put seals an entry into bucketQuarantine.
func (t *txn) putQuarantined(key []byte, q Quarantined) error {
	b, err := t.tx.CreateBucketIfNotExists(bucketQuarantine)
	if err != nil {
		return err
	}
	q.At = t.now
	return b.Put(key, t.keys.store.seal(bucketQuarantine, key, mustJSON(q)))
}

// quarantineBatch keeps a batch that was refused whole.
func (t *txn) quarantineBatch(b *PulledBatch) error {
	sum := sha256.Sum256(b.Envelope)
	q := Quarantined{Device: b.Device, First: b.First, Last: b.Last, Reason: b.Refused, Envelope: b.Envelope}
	return t.putQuarantined(quarantineKey(quarantinedBatch, b.Device, b.First, sum[:8]), q)
}

// clearBatch drops the quarantined copies of a batch once a good one is
// kept: the bad ones were altered on the way.
func (t *txn) clearBatch(device string, first uint64) error {
	b := t.tx.Bucket(bucketQuarantine)
	if b == nil {
		return nil
	}
	prefix := quarantineKey(quarantinedBatch, device, first, nil)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// ClearBadBatches drops the quarantined batches that did not verify or
// open once a pull showed that the store holds every batch the server
// lists: they were copies damaged on the way, or junk the server holds
// beside the real batches, and cost nothing.
func (s *Session) ClearBadBatches() error {
	return s.update(func(t *txn) error {
		b := t.tx.Bucket(bucketQuarantine)
		if b == nil {
			return nil
		}
		prefix := []byte{quarantinedBatch}
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyChanges merges remote changes, quarantining each one the store
// refuses.
// A change whose author signature does not verify (core.VerifyAuthors)
// is refused like one its author may not make. total is how many changes
// the transaction merges in all: enough of them, and what depends on each
// change alone is prepared on another goroutine (mergeahead.go).
func (t *txn) applyChanges(changes []core.Change, total int, res *ApplyResult) error {
	return t.applyPrepared(changes, total, nil, nil, res)
}

// applyPrepared is applyChanges given what PulledBatch.Prepare made of
// changes (nil for nothing): a change's preparation is taken only when
// the change merges as it came, its fields in clear; one opened here is
// prepared again from its opened form. ver is what Session.PrepareBatch
// checked of their signatures (nil for nothing), taken only when every
// change merges as it came and the directory gives the same keys
// (verified.takes).
func (t *txn) applyPrepared(changes []core.Change, total int, given []prepared, ver *verified, res *ApplyResult) error {
	// Clinical and billing changes are opened first (changeseal.go): the
	// author signed the opened change. One that stays sealed is put aside
	// with its own signature, verified when it opens.
	opened := make([]unsealed, len(changes))
	plain := make([]core.Change, len(changes))
	for i := range changes {
		opened[i] = t.unsealRemote(&changes[i])
		plain[i] = changes[i]
		if opened[i].plain != nil {
			plain[i] = *opened[i].plain
		}
	}
	asCame := true
	for i := range changes {
		if opened[i].plain != nil && opened[i].plain != &changes[i] {
			asCame = false
			break
		}
	}
	var unsigned []string
	if asCame && ver.takes(t, plain) {
		unsigned = ver.why
	} else {
		unsigned = core.VerifyAuthors(plain, t.authorKey)
	}
	if given != nil {
		usable := make([]prepared, len(changes))
		for i := range changes {
			if opened[i].plain == &changes[i] {
				usable[i] = given[i]
			}
		}
		given = usable
	}
	pre := prepareAhead(plain, total >= aheadMin, given)
	defer pre.close()
	wb := t.behind
	defer func() { t.behind = wb }()
	for i := range changes {
		c := &changes[i]
		if opened[i].wait {
			if err := t.pend(c); err != nil {
				return err
			}
			continue
		}
		p := pre.get(i)
		why := opened[i].why
		if why == "" {
			why = t.refusal(&plain[i], p.invalid, unsigned[i])
		}
		if why != "" {
			kept, err := t.restForm(c)
			if err != nil {
				return err
			}
			q := Quarantined{Device: c.Device, First: c.Seq, Last: c.Seq, Change: kept, Reason: why}
			if err := t.putQuarantined(quarantineKey(quarantinedChange, c.Device, c.Seq, []byte(c.ID)), q); err != nil {
				return err
			}
			res.Quarantined++
			continue
		}
		if err := t.behindFor(wb, plain[i].Kind); err != nil {
			return err
		}
		changed, err := t.merge(&plain[i], p)
		if err != nil {
			return err
		}
		if changed {
			res.Applied++
		}
	}
	return nil
}

// refusal says why a remote change may not be merged, "" when it may; a
// change that may is observed by the clock. unsigned is why its author
// signature does not verify, "" when it does; invalid is what
// c.Validate() says.
func (t *txn) refusal(c *core.Change, invalid error, unsigned string) string {
	if err := invalid; err != nil {
		return "malformed: " + strings.TrimPrefix(err.Error(), "core: ")
	}
	if c.Kind == core.KindConflict {
		return "a conflict record: conflicts are derived, never synced"
	}
	if err := t.authorizeRemote(c); err != nil {
		return "not permitted: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "store: "), "core: ")
	}
	if unsigned != "" {
		return "not signed: " + unsigned
	}
	if why := t.rewrite(c); why != "" {
		return why
	}
	if err := t.s.db.clock.Observe(c.HLC); err != nil {
		var ahead *core.ClockAheadError
		if errors.As(err, &ahead) {
			return fmt.Sprintf("the clock of device %s is %s ahead (at most %s allowed)", c.Device, ahead.By, ahead.Max)
		}
		return strings.TrimPrefix(err.Error(), "core: ")
	}
	return ""
}

// ReleaseQuarantine tries the quarantined changes again and merges those
// that now pass: their author's directory entry has arrived, or the
// clock that was ahead is no longer. It returns what the merge did.
func (s *Session) ReleaseQuarantine() (ApplyResult, error) {
	var res ApplyResult
	err := s.update(func(t *txn) error {
		b := t.tx.Bucket(bucketQuarantine)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		prefix := []byte{quarantinedChange}
		var keys [][]byte
		var held []core.Change
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			q, err := t.openQuarantined(k, v)
			if err != nil {
				return err
			}
			if q.Change == nil {
				continue
			}
			// A sealed one is tried when a key here opens it.
			if u := t.openKept(q.Change); u.plain != nil {
				keys = append(keys, append([]byte(nil), k...))
				held = append(held, *u.plain)
			}
		}
		// In key order, each device's changes by sequence: an author's
		// chain verifies as it did in its batch.
		unsigned := core.VerifyAuthors(held, t.authorKey)
		var release [][]byte
		var changes []core.Change
		for i := range held {
			if t.refusal(&held[i], held[i].Validate(), unsigned[i]) == "" {
				release = append(release, keys[i])
				changes = append(changes, held[i])
			}
		}
		for i, k := range release {
			if err := b.Delete(k); err != nil {
				return err
			}
			changed, err := t.apply(&changes[i])
			if err != nil {
				return err
			}
			if changed {
				res.Applied++
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	open, err := s.Conflicts()
	res.Conflicts = len(open)
	return res, err
}

// openQuarantined opens one entry.
func (t *txn) openQuarantined(k, v []byte) (Quarantined, error) {
	var q Quarantined
	plain, err := t.keys.store.open(bucketQuarantine, k, v)
	if err != nil {
		return q, corrupt("quarantine entry", nil)
	}
	if err := json.Unmarshal(plain, &q); err != nil {
		return q, corrupt("quarantine entry", err)
	}
	return q, nil
}

// Quarantine lists what the store refused from sync: refused batches,
// then refused changes, each by device and sequence. Only admins may: it holds others' changes
// before any permission check passed.
func (s *Session) Quarantine() ([]Quarantined, error) {
	if err := s.authorize(core.ActRead, core.KindDevice); err != nil {
		return nil, err
	}
	var out []Quarantined
	err := s.view(func(t *txn) error {
		b := t.tx.Bucket(bucketQuarantine)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			q, err := t.openQuarantined(k, v)
			if err == nil {
				out = append(out, q)
			}
			return err
		})
	})
	return out, err
}

// quarantined counts the entries in quarantine.
func (t *txn) quarantined() int {
	b := t.tx.Bucket(bucketQuarantine)
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}
