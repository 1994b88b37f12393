package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"

	"medisecure/core"
)

// What a workstation pulls while only non-clinicians are logged in (a
// desk that syncs all day) cannot be merged: its records are sealed under
// a key no login of the process holds. Such a change is put aside in
// bucketPending as it travelled (sealed under the organisation's class
// key, or, from a workstation not yet upgraded, sealed here to the store's
// public class key), with the pull cursor moving on, and it is merged at
// the next login of a holder, through the same checks as any pulled change.
// Nothing is lost: the pending change is kept until it merges, and the
// batch it came in is kept too (sync_kept).

// pendingKey is where a change waits.
func pendingKey(c *core.Change) []byte {
	k := []byte{byte(classOf(c.Kind))}
	k = append(k, c.Device...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, c.Seq)
	return append(k, c.ID...)
}

// restForm is how a pulled change is kept at rest (pending, quarantine):
// as it travelled, except that a clinical or billing change in clear (from
// a workstation that seals no changes yet) is sealed to the store's public
// class key first.
func (t *txn) restForm(c *core.Change) (*core.Change, error) {
	class := classOf(c.Kind)
	if _, err := sealedOf(c); class == sealDesk || !errors.Is(err, errNotSealed) {
		return c, nil
	}
	plain, err := json.Marshal(c.Fields)
	if err != nil {
		return nil, err
	}
	body, err := sealToClass(t.tx, class, plain)
	if err != nil {
		return nil, err
	}
	out := withEnvelope(*c, sealedFields{form: formPublic, class: class, body: body})
	return &out, nil
}

// pend puts a change aside until a holder of its class key logs in.
func (t *txn) pend(c *core.Change) error {
	kept, err := t.restForm(c)
	if err != nil {
		return err
	}
	b, err := t.tx.CreateBucketIfNotExists(bucketPending)
	if err != nil {
		return err
	}
	key := pendingKey(c)
	return b.Put(key, t.keys.store.seal(bucketPending, key, mustJSON(kept)))
}

// openKept opens a change the store keeps aside: one sealed here to the
// public class key with the class key, any other as a pulled change.
func (t *txn) openKept(c *core.Change) unsealed {
	if f, err := sealedOf(c); err == nil && f.form == formPublic {
		plain, ok, err := t.openLocal(c, f)
		switch {
		case err != nil:
			return unsealed{why: err.Error()}
		case !ok:
			return unsealed{wait: true}
		}
		return unsealed{plain: &plain}
	}
	return t.unsealRemote(c)
}

// mergePending merges the changes put aside for the classes this process
// now holds keys of; those whose key is still missing stay.
func (s *Session) mergePending() error {
	n := 0
	if err := s.view(func(t *txn) error { n = t.waiting(); return nil }); err != nil || n == 0 {
		return err
	}
	return s.update(func(t *txn) error {
		b := t.tx.Bucket(bucketPending)
		if b == nil {
			return nil
		}
		var keys [][]byte
		var changes []core.Change
		for _, class := range sealClasses {
			if t.keys.classes.get(class) == nil {
				continue
			}
			c := b.Cursor()
			prefix := []byte{byte(class)}
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				plain, err := t.keys.store.open(bucketPending, k, v)
				var ch core.Change
				if err != nil || json.Unmarshal(plain, &ch) != nil {
					return corrupt("a pending change", err)
				}
				if u := t.openKept(&ch); u.plain != nil {
					ch = *u.plain
				}
				keys = append(keys, append([]byte(nil), k...))
				changes = append(changes, ch)
			}
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		var res ApplyResult
		return t.applyChanges(changes, len(changes), &res)
	})
}

// waiting counts the changes put aside for a class key.
func (t *txn) waiting() int {
	b := t.tx.Bucket(bucketPending)
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}
