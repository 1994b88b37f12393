package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"medisecure/core"
)

// Batch is a sealed sync batch as it travelled: this device's as it was
// pushed, another's as it was pulled. The store keeps every one, so that
// a server restored from an older copy, or one that lost a batch, gets
// them back verbatim, signed by the device that made them.
type Batch struct {
	Device string
	First  uint64
	Last   uint64
	// Envelope is the marshalled batch, sealed under an org key.
	Envelope []byte
}

// PulledBatch is a batch a sync client pulled, with what opening it gave.
type PulledBatch struct {
	Batch
	// Changes are the batch's changes once it verified and opened.
	Changes []core.Change
	// Digests, nil for none, are the digests of Changes computed as they
	// were opened (envelope.Payload.Digests): checking their authors'
	// signatures takes a change's digest from them only for this very
	// slice and a change not replaced since (core.Digests).
	Digests *core.Digests
	// Refused, when set, says why the batch does not verify or open: it
	// is quarantined whole and nothing of it applied.
	Refused string
	// prepared is what Prepare made of Changes ahead of the merge (of
	// preparedOf, the slice Changes was then), and verified what
	// PrepareBatch checked of their signatures.
	prepared   []prepared
	preparedOf []core.Change
	verified   *verified
}

// keptKey is a batch's key in bucketKept.
func keptKey(device string, first uint64) []byte {
	k := make([]byte, 0, len(device)+9)
	k = append(k, device...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, first)
}

// keep files a batch in bucketKept and moves the device's contiguous
// mark past it and any kept batches that now follow.
func (t *txn) keep(b Batch) error {
	kept, err := t.tx.CreateBucketIfNotExists(bucketKept)
	if err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(nil, b.Last)
	if err := kept.Put(keptKey(b.Device, b.First), append(v, b.Envelope...)); err != nil {
		return err
	}
	have, err := t.tx.CreateBucketIfNotExists(bucketHave)
	if err != nil {
		return err
	}
	mark := uint64(0)
	if v := have.Get([]byte(b.Device)); len(v) == 8 {
		mark = be64(v)
	}
	for {
		v := kept.Get(keptKey(b.Device, mark+1))
		if len(v) < 8 {
			break
		}
		mark = be64(v[:8])
	}
	return have.Put([]byte(b.Device), u64(mark))
}

// kept reports whether the store keeps a batch of device from first to
// last.
func (t *txn) kept(device string, first, last uint64) bool {
	kept := t.tx.Bucket(bucketKept)
	if kept == nil {
		return false
	}
	v := kept.Get(keptKey(device, first))
	return len(v) >= 8 && be64(v[:8]) == last
}

// KeepOwn keeps a batch of this device's changes, sealed and signed,
// before it is pushed: a push that is retried sends the same bytes, and a
// server that loses it gets it back.
func (s *Session) KeepOwn(b Batch) error {
	if b.Device != s.db.DeviceID() {
		return fmt.Errorf("store: batch of device %s kept as this device's (%s)", b.Device, s.db.DeviceID())
	}
	return s.update(func(t *txn) error { return t.keep(b) })
}

// DropUnacked forgets this device's kept batches the server has not
// acknowledged, so that their changes are sealed again (under a new key
// epoch).
func (s *Session) DropUnacked() error {
	return s.update(func(t *txn) error { return t.dropAfter(s.db.DeviceID(), t.acked()) })
}

// dropAfter forgets a device's kept batches that start after seq, and
// lowers its mark to seq.
func (t *txn) dropAfter(device string, seq uint64) error {
	kept := t.tx.Bucket(bucketKept)
	if kept == nil {
		return nil
	}
	prefix := append([]byte(device), 0)
	c := kept.Cursor()
	for k, _ := c.Seek(keptKey(device, seq+1)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(keptKey(device, seq+1)) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	have := t.tx.Bucket(bucketHave)
	if have == nil {
		return nil
	}
	if v := have.Get([]byte(device)); len(v) == 8 && be64(v) > seq {
		return have.Put([]byte(device), u64(seq))
	}
	return nil
}

// acked is the last local change the server acknowledged.
func (t *txn) acked() uint64 {
	if v := t.tx.Bucket(bucketMeta).Get(metaAcked); len(v) == 8 {
		return be64(v)
	}
	return 0
}

// KeptBatches returns up to limit kept batches of a device that start
// after seq, in order.
func (s *Session) KeptBatches(device string, after uint64, limit int) ([]Batch, error) {
	var out []Batch
	err := s.view(func(t *txn) error {
		kept := t.tx.Bucket(bucketKept)
		if kept == nil {
			return nil
		}
		prefix := append([]byte(device), 0)
		c := kept.Cursor()
		for k, v := c.Seek(keptKey(device, after+1)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			if len(k) != len(prefix)+8 || len(v) < 8 {
				return corrupt("kept sync batch", nil)
			}
			out = append(out, Batch{Device: device, First: be64(k[len(prefix):]), Last: be64(v[:8]), Envelope: append([]byte(nil), v[8:]...)})
		}
		return nil
	})
	return out, err
}

// Have returns, for every device whose batches the store keeps, the
// highest sequence up to which it keeps them all: what this workstation
// knows of each device, to compare with what the server holds. This
// device's entry counts its kept batches, pushed or not.
func (s *Session) Have() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := s.view(func(t *txn) error {
		have := t.tx.Bucket(bucketHave)
		if have == nil {
			return nil
		}
		return have.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return corrupt("sync mark of device "+string(k), nil)
			}
			out[string(k)] = be64(v)
			return nil
		})
	})
	return out, err
}

// RewindCursor sets the pull cursor back to the start, so that the next
// pull reads the server's whole log: its sequences cannot be trusted
// after it lost batches. Batches kept already are skipped, not merged
// again.
func (s *Session) RewindCursor() error {
	return s.update(func(t *txn) error { return t.tx.Bucket(bucketMeta).Delete(metaPullCursor) })
}

// putCursor saves the pull cursor and the time of the pull.
func (t *txn) putCursor(cursor uint64) error {
	meta := t.tx.Bucket(bucketMeta)
	if err := meta.Put(metaPullCursor, u64(cursor)); err != nil {
		return err
	}
	return t.stampPulled()
}

// stampPulled records now as the time of the last pull.
func (t *txn) stampPulled() error {
	return t.tx.Bucket(bucketMeta).Put(metaPulledAt, mustJSON(t.now))
}

// ApplyBatches merges pulled batches in one transaction, as ApplyRemote
// merges changes, and keeps each batch. A batch kept already is skipped;
// one refused whole is quarantined, unless the store keeps a good copy.
// When cursor is not zero it is saved as the pull cursor in the same
// transaction. A catch-up's transactions leave the search shards marked
// stale (persistSearch): its last write, the pull's MarkPulled or
// ApplyLastBatches, reseals them once, and a store closed before that
// rebuilds them when opened.
func (s *Session) ApplyBatches(batches []PulledBatch, cursor uint64) (ApplyResult, error) {
	return s.applyBatches(batches, cursor, false)
}

// ApplyLastBatches is ApplyBatches for a pull's last transaction, the one
// that brings the store level with the server: in the same transaction it
// also does what MarkPulled does after it (the time of the pull stamped,
// the search shards a catch-up left stale resealed), so that the pull
// ends with one commit, not two.
func (s *Session) ApplyLastBatches(batches []PulledBatch, cursor uint64) (ApplyResult, error) {
	return s.applyBatches(batches, cursor, true)
}

// applyBatches is ApplyBatches, and with last ApplyLastBatches.
func (s *Session) applyBatches(batches []PulledBatch, cursor uint64, last bool) (ApplyResult, error) {
	total := 0
	for i := range batches {
		total += len(batches[i].Changes)
	}
	return s.mergePulled(total, func(m *PullMerge) (uint64, bool, error) {
		for i := range batches {
			if err := m.Merge(&batches[i]); err != nil {
				return 0, false, err
			}
		}
		return cursor, last, nil
	})
}

// PullMerge is one transaction of a pull that merges pulled batches as
// they come (Session.MergePulled).
type PullMerge struct {
	t *txn
	// total is how many changes the transaction merges in all when the
	// caller said so (ApplyBatches), else 0; merged is how many it has
	// merged so far.
	total, merged int
	res           ApplyResult
}

// Merge merges one pulled batch in the transaction and keeps it, as
// ApplyBatches does each of its batches: a batch the store keeps already
// is skipped, one refused whole is quarantined unless the store keeps a
// good copy. The transaction does not hold on to b once Merge returns,
// only to what merging it wrote.
func (m *PullMerge) Merge(b *PulledBatch) error {
	t := m.t
	m.merged += len(b.Changes)
	size := max(m.total, m.merged)
	if size >= aheadMin {
		// Enough changes that their record and index puts are held and
		// written in key order at the end (writebehind.go).
		t.startBehind()
	}
	if t.kept(b.Device, b.First, b.Last) {
		return nil
	}
	if b.Refused != "" {
		if err := t.quarantineBatch(b); err != nil {
			return err
		}
		m.res.Quarantined++
		return nil
	}
	if err := t.keep(b.Batch); err != nil {
		return err
	}
	if err := t.clearBatch(b.Device, b.First); err != nil {
		return err
	}
	return t.applyPrepared(b.Changes, size, b.preparedFor(), b.verifiedFor(), &m.res)
}

// MergePulled runs fn in one transaction, in which fn merges pulled
// batches with m.Merge as they come, so that a pull merges each batch as
// soon as it is opened and prepared instead of waiting for a
// transaction's worth. fn returns the pull cursor to save with them (0
// for none) and whether this is the pull's last transaction, which also
// does what MarkPulled does (ApplyLastBatches). An error from fn, or
// from a merge, rolls the whole transaction back.
func (s *Session) MergePulled(fn func(m *PullMerge) (cursor uint64, last bool, err error)) (ApplyResult, error) {
	return s.mergePulled(0, fn)
}

// mergePulled is MergePulled given how many changes fn merges in all, 0
// when it is not known beforehand.
func (s *Session) mergePulled(total int, fn func(m *PullMerge) (uint64, bool, error)) (ApplyResult, error) {
	m := &PullMerge{total: total}
	err := s.update(func(t *txn) error {
		m.t = t
		cursor, last, err := fn(m)
		if err != nil {
			return err
		}
		if cursor != 0 {
			if err := t.putCursor(cursor); err != nil {
				return err
			}
		} else if last {
			if err := t.stampPulled(); err != nil {
				return err
			}
		}
		if err := t.stopBehind(); err != nil {
			return err
		}
		// The pull's last transaction reseals the shards (persistSearch).
		t.deferSearch = !last
		return nil
	})
	res := m.res
	if err != nil {
		return res, err
	}
	open, err := s.Conflicts()
	res.Conflicts = len(open)
	return res, err
}
