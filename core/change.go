package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// FieldDeleted is the field a tombstone sets. Deletion is soft: the record
// stays, merged like any other field, and lists skip it.
const FieldDeleted = "deleted"

// Change is one local write as it travels: the fields it set on one record,
// who made it, on which device, with that device's sequence number and a
// hybrid logical clock timestamp. Changes are the unit of sync and merge.
type Change struct {
	Kind   Kind                       `json:"kind"`
	ID     ID                         `json:"id"`
	Fields map[string]json.RawMessage `json:"fields"`
	Author string                     `json:"author"`
	Device string                     `json:"device"`
	Seq    uint64                     `json:"seq"`
	HLC    HLC                        `json:"hlc"`
	// Prev and Sig are the author's signature (signature.go): Prev the
	// digest of the author's previous change on the device that made it
	// (zeros for the first), Sig Ed25519 by the author's key over this
	// change's digest. Changes made before signatures have neither.
	Prev []byte `json:"prev,omitempty"`
	Sig  []byte `json:"sig,omitempty"`
}

// Validate checks the parts of a change that do not depend on the record it
// applies to, including the free-text rule of its kind's Validate for every
// string it sets (a *ValidationError naming the field), so a change that
// arrives by sync is held to the rule a local write is.
func (c *Change) Validate() error {
	switch {
	case !c.Kind.Valid():
		return fmt.Errorf("core: change has unknown kind %q", c.Kind)
	case c.ID.Bytes() == nil:
		return fmt.Errorf("core: change has malformed id %q", c.ID)
	case c.Device == "":
		return errors.New("core: change has no device")
	case len(c.Fields) == 0:
		return errors.New("core: change sets no fields")
	}
	for name, v := range c.Fields {
		if name == "" {
			return errors.New(`core: change has a field "" with no name`)
		}
		if !compactJSON(v) {
			return fmt.Errorf("core: change field %q is not compact JSON", name)
		}
	}
	return checkChangeText(c)
}

// Field is the merged state of one field: its value and the stamp of the
// change that wrote it.
type Field struct {
	Value  json.RawMessage `json:"v"`
	HLC    HLC             `json:"h"`
	Device string          `json:"d"`
}

// wins reports whether a write stamped (hlc, device, value) beats the field's
// current one. Order: HLC, then device ID, then the value bytes, so that any
// two replicas pick the same winner whatever order they saw the writes in.
func (f Field) wins(hlc HLC, device string, value []byte) bool {
	if hlc != f.HLC {
		return hlc > f.HLC
	}
	if device != f.Device {
		return device > f.Device
	}
	return bytes.Compare(value, f.Value) > 0
}

// Record is the merged state of one record: every field with the stamp that
// set it. It is what the store keeps (sealed) and what merge works on.
type Record struct {
	Kind   Kind             `json:"kind"`
	ID     ID               `json:"id"`
	Fields map[string]Field `json:"fields"`
}

// NewRecord returns an empty record of kind k.
func NewRecord(k Kind, id ID) *Record {
	return &Record{Kind: k, ID: id, Fields: map[string]Field{}}
}

// Apply merges a change into the record, field by field, last writer wins by
// (HLC, device). It is commutative, associative and idempotent: any order and
// any number of repeats of the same changes give the same record. It reports
// whether any field changed.
func (r *Record) Apply(c *Change) bool {
	changed := false
	for name, v := range c.Fields {
		cur, ok := r.Fields[name]
		if ok && !cur.wins(c.HLC, c.Device, v) {
			continue
		}
		r.Fields[name] = Field{Value: v, HLC: c.HLC, Device: c.Device}
		changed = true
	}
	return changed
}

// Deleted reports whether the record carries a tombstone.
func (r *Record) Deleted() bool {
	f, ok := r.Fields[FieldDeleted]
	return ok && string(f.Value) == "true"
}

// Exists reports whether any change has been applied to the record.
func (r *Record) Exists() bool { return len(r.Fields) > 0 }

// MaxHLC is the newest stamp among the record's fields.
func (r *Record) MaxHLC() HLC {
	var m HLC
	for _, f := range r.Fields {
		if f.HLC > m {
			m = f.HLC
		}
	}
	return m
}

// JSON renders the record's current values as one JSON object with sorted
// keys. Two replicas holding the same record render the same bytes.
func (r *Record) JSON() []byte {
	names := make([]string, 0, len(r.Fields))
	for n := range r.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	size := 2
	for _, n := range names {
		size += len(n) + 4 + len(r.Fields[n].Value)
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendName(b, n)
		b = append(append(b, ':'), r.Fields[n].Value...)
	}
	return append(b, '}')
}

// appendName appends field name n as a JSON string, as json.Marshal
// writes it; the names of fields need no escapes, and are copied as they
// are when they need none.
func appendName(b []byte, n string) []byte {
	for i := 0; i < len(n); i++ {
		if c := n[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			k, _ := json.Marshal(n)
			return append(b, k...)
		}
	}
	return append(append(append(b, '"'), n...), '"')
}

// Decode fills an entity from the record's current values: it does what
// json.Unmarshal of r.JSON() into e does, with the same error, but for the
// usual record and a zero entity sets the fields straight from the values
// (recorddecode.go).
func (r *Record) Decode(e Entity) error {
	if decodeFast(r, e) {
		return nil
	}
	return r.decodeJSON(e)
}

// decodeJSON is Decode by json.Unmarshal of the record's JSON object.
func (r *Record) decodeJSON(e Entity) error {
	if err := json.Unmarshal(r.JSON(), e); err != nil {
		return fmt.Errorf("core: decoding %s %s: %w", r.Kind, r.ID, err)
	}
	return nil
}
