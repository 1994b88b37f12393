package store

import (
	"encoding/json"
	"fmt"
	"time"

	"medisecure/core"
)

// ApplyResult says what applying remote changes did.
type ApplyResult struct {
	// Applied counts changes that altered a record; the rest were already
	// merged (duplicates or older writes).
	Applied int
	// Conflicts is the number of open conflicts after the merge.
	Conflicts int
}

// ApplyRemote merges changes pulled from other devices through the same
// merge as local writes, in one transaction, then checks invariants: broken
// ones become conflict records with both appointments left in place.
// Applying the same changes again changes nothing.
func (s *Session) ApplyRemote(changes []core.Change) (ApplyResult, error) {
	var res ApplyResult
	err := s.update(func(t *txn) error {
		for i := range changes {
			c := &changes[i]
			if err := c.Validate(); err != nil {
				return fmt.Errorf("store: remote change %d: %w", i, err)
			}
			if c.Kind == core.KindConflict {
				return fmt.Errorf("store: remote change %d: conflicts are derived, never synced", i)
			}
			s.db.clock.Observe(c.HLC)
			changed, err := t.apply(c)
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

// Outbox returns up to limit local changes with a sequence above after, in
// order: what a sync client pushes next.
func (s *Session) Outbox(after uint64, limit int) ([]core.Change, error) {
	var out []core.Change
	err := s.view(func(t *txn) error {
		c := t.tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			plain, err := t.keys.store.open(bucketOutbox, k, v)
			if err != nil {
				return corrupt(fmt.Sprintf("outbox entry %d", be64(k)), nil)
			}
			var ch core.Change
			if err := json.Unmarshal(plain, &ch); err != nil {
				return corrupt(fmt.Sprintf("outbox entry %d", be64(k)), err)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// Status is the honest state of local changes: how many the server has not
// acknowledged and when the last pull completed.
type Status struct {
	LastSeq  uint64
	LastAck  uint64
	Pending  int
	LastPull time.Time
}

// SyncState reads the outbox counters.
func (s *Session) SyncState() (Status, error) {
	var st Status
	err := s.view(func(t *txn) error {
		meta := t.tx.Bucket(bucketMeta)
		if v := meta.Get(metaSeq); len(v) == 8 {
			st.LastSeq = be64(v)
		}
		if v := meta.Get(metaAcked); len(v) == 8 {
			st.LastAck = be64(v)
		}
		st.Pending = int(st.LastSeq - st.LastAck)
		return nil
	})
	return st, err
}
