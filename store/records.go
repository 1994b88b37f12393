package store

import (
	"encoding/json"

	"medisecure/core"
)

// Add creates a record of any kind after checking permission and validity.
// It fills the ID (when empty) and the meta fields.
func (s *Session) Add(e core.Entity) error {
	return s.update(func(t *txn) error { return t.create(e) })
}

// Save writes the changed fields of an existing record (never of an
// append-only kind).
func (s *Session) Save(e core.Entity) error {
	return s.update(func(t *txn) error { return t.save(e) })
}

// Delete tombstones a record; it stays for merge and audit but lists skip it.
func (s *Session) Delete(k core.Kind, id core.ID) error {
	return s.update(func(t *txn) error {
		if err := s.authorize(core.ActDelete, k); err != nil {
			return err
		}
		if k.AppendOnly() {
			return ErrAppendOnly
		}
		rec, err := t.load(k, id)
		if err != nil {
			return err
		}
		if !rec.Exists() || rec.Deleted() {
			return ErrNotFound
		}
		return t.write(k, id, map[string]json.RawMessage{core.FieldDeleted: json.RawMessage("true")})
	})
}

// Writer adds many records in one transaction, for imports and seeding.
type Writer struct{ t *txn }

// Add creates a record, as Session.Add does.
func (w *Writer) Add(e core.Entity) error { return w.t.create(e) }

// Batch runs fn in one transaction: every record it adds is committed
// together, or none is.
func (s *Session) Batch(fn func(w *Writer) error) error {
	return s.update(func(t *txn) error { return fn(&Writer{t: t}) })
}
