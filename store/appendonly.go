package store

import (
	"bytes"
	"fmt"

	"medisecure/core"
)

// restamped are the fields in which two creations of one append-only
// record may differ and still be the same record: when and where it was
// written. The same text signed on two workstations is one note
// (core.SignedNoteID) signed at two times; a reader's receipt marked on two
// workstations is one receipt. These merge by (HLC, device) like any field.
var restamped = map[string]bool{"created_at": true, "updated_at": true, "signed_at": true}

// writtenByMany are the append-only kinds whose ID is drawn from what the
// record is about, not its content, so two workstations may each write the
// record with other details: a delivery step of an attempt two offline
// workstations both made. They merge by (HLC, device).
var writtenByMany = map[core.Kind]bool{core.KindDelivery: true}

// rewrite says why a remote change may not be merged because it would
// rewrite an append-only record this store holds (a second version of a
// signed note, a vital with another value), "" when it may: the record is
// new here, or the change only says again what it holds (the same change
// delivered twice, the same text signed twice). Such a change is
// quarantined, never applied; the record stays as first written.
func (t *txn) rewrite(c *core.Change) string {
	if !c.Kind.AppendOnly() || writtenByMany[c.Kind] {
		return ""
	}
	rec, err := t.load(c.Kind, c.ID)
	if err != nil || !rec.Exists() {
		return "" // a record that cannot be read fails in apply
	}
	for name, v := range c.Fields {
		if restamped[name] {
			continue
		}
		if have, ok := rec.Fields[name]; !ok || !bytes.Equal(have.Value, v) {
			return fmt.Sprintf("append-only: a second version of %s %s (its %s differs); the record stays as first written", c.Kind, c.ID, name)
		}
	}
	return ""
}
