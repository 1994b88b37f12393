package store

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strconv"
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
	// Quarantined counts the changes (and batches) refused and kept
	// aside.
	Quarantined int
}

// ApplyRemote merges changes pulled from other devices through the same
// merge as local writes, in one transaction, then checks invariants: broken
// ones become conflict records with both appointments left in place.
// Applying the same changes again changes nothing. A change the store
// refuses (malformed, an author not in the directory or not permitted to
// make it, a time beyond the clock's skew bound) is quarantined, and the
// others are merged. When cursor is not zero it is saved as the pull
// cursor in the same transaction, so a pull cut at any point resumes
// after the last batch applied, never applying one twice or skipping one.
func (s *Session) ApplyRemote(changes []core.Change, cursor uint64) (ApplyResult, error) {
	var res ApplyResult
	err := s.update(func(t *txn) error {
		if cursor != 0 {
			if err := t.putCursor(cursor); err != nil {
				return err
			}
		}
		if len(changes) >= aheadMin {
			t.startBehind()
		}
		if err := t.applyChanges(changes, len(changes), &res); err != nil {
			return err
		}
		return t.stopBehind()
	})
	if err != nil {
		return res, err
	}
	open, err := s.Conflicts()
	res.Conflicts = len(open)
	return res, err
}

// merge merges one change into its record and keeps the indexes in step,
// reporting whether anything changed. pre, when not nil, is c prepared
// ahead (mergeahead.go): when the record is new here, the record, its
// encoding and its entity are taken from it instead of made again.
func (t *txn) merge(c *core.Change, pre *prepared) (bool, error) {
	rec, err := t.load(c.Kind, c.ID)
	if err != nil {
		return false, err
	}
	if rec.Exists() || pre != nil && pre.rec == nil {
		pre = nil
	}
	indexed := hasIndex(c.Kind)
	var before core.Entity
	if indexed && needsBefore(c.Kind) && rec.Exists() {
		if before, err = decodeEntity(rec); err != nil {
			return false, err
		}
	}
	var twice []core.ID
	if c.Kind == core.KindRefill {
		twice, _ = approvedTwice(rec, c)
	}
	if pre != nil {
		rec = pre.rec // what rec.Apply(c) makes of the empty record
	} else if !rec.Apply(c) {
		if twice != nil {
			return false, t.refillConflict(rec, twice) // the losing approval was dispensed too
		}
		return false, nil
	}
	if err := t.putPrepared(rec, pre); err != nil {
		return false, err
	}
	if c.Kind == core.KindRefill {
		if err := t.refillConflict(rec, twice); err != nil {
			return false, err
		}
	}
	if !indexed {
		return true, nil
	}
	var after core.Entity
	if pre != nil {
		after = pre.fresh
		t.freshEntry = pre.entry
		defer func() { t.freshEntry = nil }()
	}
	if after == nil {
		if after, err = decodeEntity(rec); err != nil {
			return false, err
		}
	}
	return true, t.reindex(before, after)
}

// authorizeRemote applies the permission rules to a change made elsewhere:
// its author must be in the directory, not disabled at the change's time,
// and the role they held then allowed to make it. A change that carries
// created_at creates its record (updates never carry it), so the decision
// does not depend on the order changes arrive in.
func (t *txn) authorizeRemote(c *core.Change) error {
	e, err := t.author(c.Author)
	if err != nil {
		return err
	}
	if !e.User.ActiveAt(c.HLC) {
		return fmt.Errorf("%w: user %s was disabled when this change was made", core.ErrDenied, c.Author)
	}
	p := core.Principal{User: c.Author, Role: e.User.RoleAt(c.HLC)}
	act := core.ActUpdate
	if _, ok := c.Fields["created_at"]; ok {
		act = core.ActCreate
	} else if _, ok := c.Fields[core.FieldDeleted]; ok {
		act = core.ActDelete
	}
	if err := core.Authorize(p, act, c.Kind); err != nil {
		return err
	}
	if c.Kind.AppendOnly() && act != core.ActCreate {
		return fmt.Errorf("%w: %s records are never changed", ErrAppendOnly, c.Kind)
	}
	return nil
}

// Outbox returns up to limit local changes with a sequence above after, in
// order: what a sync client pushes next.
func (s *Session) Outbox(after uint64, limit int) ([]core.Change, error) {
	var out []core.Change
	err := s.view(func(t *txn) error {
		var err error
		out, err = t.outboxPage(after, limit)
		return err
	})
	return out, err
}

// outbox returns every local change with a sequence above after.
func (t *txn) outbox(after uint64) ([]core.Change, error) {
	return t.outboxPage(after, int(^uint(0)>>1))
}

func (t *txn) outboxPage(after uint64, limit int) ([]core.Change, error) {
	out := make([]core.Change, 0, min(limit, outboxRoom))
	c := t.tx.Bucket(bucketOutbox).Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
		plain, err := t.keys.store.open(bucketOutbox, k, v)
		if err != nil {
			return nil, corrupt(fmt.Sprintf("outbox entry %d", be64(k)), nil)
		}
		var ch core.Change
		if err := decodeChange(plain, &ch); err != nil {
			return nil, corrupt(fmt.Sprintf("outbox entry %d", be64(k)), err)
		}
		ch, ok, err := t.forPush(&ch)
		if err != nil {
			return nil, err
		}
		if !ok {
			break // sealed under a class key only a holder's login opens
		}
		out = append(out, ch)
	}
	return out, nil
}

// Status is the honest state of local changes: how many the server has not
// acknowledged and when the last pull completed.
type Status struct {
	LastSeq  uint64
	LastAck  uint64
	Pending  int
	LastPull time.Time
	// Cursor is the server sequence of the last batch pulled and applied.
	Cursor uint64
	// Server is the address of the sync server this store last synced
	// with, "" when never.
	Server string
	// Quarantined counts the changes and batches refused from sync and
	// kept aside (Quarantine lists them).
	Quarantined int
}

// SyncState reads the outbox counters.
func (s *Session) SyncState() (Status, error) {
	var st Status
	err := s.view(func(t *txn) error {
		meta := t.tx.Bucket(bucketMeta)
		if v := counters(t.tx).Get(metaSeq); len(v) == 8 {
			st.LastSeq = be64(v)
		}
		if v := meta.Get(metaAcked); len(v) == 8 {
			st.LastAck = be64(v)
		}
		st.Pending = int(st.LastSeq - st.LastAck)
		if v := meta.Get(metaPullCursor); len(v) == 8 {
			st.Cursor = be64(v)
		}
		if v := meta.Get(metaPulledAt); v != nil {
			if err := json.Unmarshal(v, &st.LastPull); err != nil {
				return corrupt("last pull time", err)
			}
		}
		st.Server = string(meta.Get(metaServer))
		st.Quarantined = t.quarantined()
		return nil
	})
	return st, err
}

// Ack records that the server acknowledged every local change up to seq
// and drops them from the outbox. Acknowledgements never go backwards.
func (s *Session) Ack(seq uint64) error {
	return s.update(func(t *txn) error {
		meta := t.tx.Bucket(bucketMeta)
		if v := meta.Get(metaAcked); len(v) == 8 && be64(v) >= seq {
			return nil
		}
		if seq > t.seq {
			return fmt.Errorf("%w: acknowledgement %d is beyond the last local change %d", ErrCorrupt, seq, t.seq)
		}
		c := t.tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.First(); k != nil && be64(k) <= seq; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return meta.Put(metaAcked, u64(seq))
	})
}

// SetServer remembers the sync server's address.
func (s *Session) SetServer(addr string) error {
	return s.update(func(t *txn) error { return t.tx.Bucket(bucketMeta).Put(metaServer, []byte(addr)) })
}

// Keys a sync client needs: the org key of an epoch (to seal and open
// batches) and this device's signing key. Only a logged-in session has them.

// OrgKey returns the key that seals batches of an epoch: the org key the
// session's user was granted, mixed with this device's share of the epoch
// when it has shares. It returns ErrNoDeviceGrant for an epoch that began
// after this device was revoked.
func (s *Session) OrgKey(epoch int) ([]byte, error) {
	s.db.mu.Lock()
	cur, key := s.db.keys.epoch, s.db.keys.orgKey
	s.db.mu.Unlock()
	if epoch != cur {
		if _, ok := s.dir().Grants[strconv.Itoa(epoch)]; !ok {
			// A rotation elsewhere may have reached the directory since login.
			if err := s.Refresh(); err != nil {
				return nil, err
			}
		}
		var err error
		if key, err = s.dir().orgKey(epoch, s.keys); err != nil {
			return nil, err
		}
	}
	return s.db.epochKey(epoch, key)
}

// Epoch is the current key epoch.
func (s *Session) Epoch() int {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.keys.epoch
}

// DeviceKey is this workstation's Ed25519 signing key.
func (s *Session) DeviceKey() ed25519.PrivateKey { return s.db.keys.device }

// RootPublicKey is the org root key that signs the directory.
func (s *Session) RootPublicKey() ed25519.PublicKey { return s.db.root }
