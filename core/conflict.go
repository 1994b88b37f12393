package core

import (
	"crypto/sha256"
	"encoding/hex"
)

// ConflictStatus is whether a person still has to look at a conflict.
type ConflictStatus string

// The conflict statuses.
const (
	ConflictOpen     ConflictStatus = "open"
	ConflictResolved ConflictStatus = "resolved"
)

// Conflict is an invariant that merging could not keep, such as a doctor
// double-booked by two clinics that were both offline. Both appointments stay
// in place until a person keeps one and moves or cancels the other.
//
// A conflict is derived from merged state: every replica that holds the same
// two appointments finds the same conflict with the same ID and fields, so
// conflicts never need to sync themselves; the resolution (a cancel or a
// move) does.
type Conflict struct {
	Meta
	// On is what both appointments need at once: "doctor", "room" or
	// "patient"; or ConflictOnInvoice for an invoice paid twice over.
	On           string         `json:"on"`
	Appointments [2]ID          `json:"appointments"`
	Status       ConflictStatus `json:"status"`
	// Invoice and Payments are set for ConflictOnInvoice (core/billing.go).
	Invoice  ID   `json:"invoice"`
	Payments []ID `json:"payments"`
	// Refill and Approvals are set for ConflictOnRefill (core/refill.go).
	Refill    ID   `json:"refill"`
	Approvals []ID `json:"approvals"`
}

func init() { register(KindConflict, func() Entity { return &Conflict{} }) }

// Kind is KindConflict.
func (*Conflict) Kind() Kind { return KindConflict }

// Validate checks the conflict's fields.
func (c *Conflict) Validate() error {
	ch := &checker{kind: KindConflict}
	if c.On == ConflictOnInvoice {
		ch.refID("invoice", c.Invoice, "an invoice")
	} else if c.On == ConflictOnRefill {
		ch.refID("refill", c.Refill, "a refill")
	} else if c.Appointments[0] == "" || c.Appointments[1] == "" || c.Appointments[0] == c.Appointments[1] {
		ch.add("appointments", "must name two different appointments")
	}
	if c.Status != ConflictOpen && c.Status != ConflictResolved {
		ch.add("status", "must be open or resolved")
	}
	ch.freeText(c)
	return ch.err()
}

// NewConflict builds the conflict between two appointments. Its ID and times
// depend only on the two appointments, so every replica builds the same one.
// seen is the newer of the two appointments' change stamps.
func NewConflict(on string, a, b ID, seen HLC) *Conflict {
	if b < a {
		a, b = b, a
	}
	sum := sha256.Sum256([]byte("conflict\x00" + string(a) + "\x00" + string(b)))
	at := seen.Time()
	return &Conflict{
		Meta:         Meta{ID: ID(hex.EncodeToString(sum[:12])), CreatedAt: at, UpdatedAt: at, CreatedBy: "merge"},
		On:           on,
		Appointments: [2]ID{a, b},
		Status:       ConflictOpen,
	}
}

// Other returns the appointment of the pair that is not id.
func (c *Conflict) Other(id ID) ID {
	if c.Appointments[0] == id {
		return c.Appointments[1]
	}
	return c.Appointments[0]
}
