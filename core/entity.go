package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Entity is a typed record: a patient, an appointment, an invoice… Every
// entity embeds Meta and turns into a flat JSON object whose top-level keys
// are the fields that merge field by field.
type Entity interface {
	Kind() Kind
	Base() *Meta
	Validate() error
}

// Meta is the part every record shares.
type Meta struct {
	ID        ID        `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	Deleted   bool      `json:"deleted"`
}

// Base gives access to the shared part of any entity.
func (m *Meta) Base() *Meta { return m }

// FieldsOf splits an entity into its top-level JSON fields.
func FieldsOf(e Entity) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("core: encoding %s: %w", e.Kind(), err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, fmt.Errorf("core: splitting %s into fields: %w", e.Kind(), err)
	}
	return fields, nil
}

// Diff returns the fields of e whose values differ from those merged in rec,
// the fields an update has to carry. It is empty when nothing changed.
func Diff(rec *Record, e Entity) (map[string]json.RawMessage, error) {
	fields, err := FieldsOf(e)
	if err != nil {
		return nil, err
	}
	for name, v := range fields {
		if cur, ok := rec.Fields[name]; ok && bytes.Equal(cur.Value, v) {
			delete(fields, name)
		}
	}
	return fields, nil
}

// New returns an empty entity of kind k, ready to decode into.
func New(k Kind) (Entity, error) {
	f, ok := constructors[k]
	if !ok {
		return nil, fmt.Errorf("core: no entity type for kind %q", k)
	}
	return f(), nil
}

// constructors maps each kind to its Go type; every kind in Kinds has one
// (a test checks).
var constructors = map[Kind]func() Entity{}

// register records the Go type of a kind; each entity file calls it from init.
func register(k Kind, f func() Entity) { constructors[k] = f }
