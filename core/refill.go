package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"
)

// RefillStatus is where a refill request stands.
type RefillStatus string

// The refill statuses.
const (
	RefillRequested RefillStatus = "requested"
	RefillApproved  RefillStatus = "approved"
	RefillDenied    RefillStatus = "denied"
)

// refillMachine: requested → approved | denied.
var refillMachine = machine[RefillStatus]{
	kind: KindRefill,
	next: map[RefillStatus][]RefillStatus{
		RefillRequested: {RefillApproved, RefillDenied},
		RefillApproved:  nil,
		RefillDenied:    nil,
	},
}

// CheckTransition returns nil when a refill request may go from s to next, or
// a *TransitionError wrapping ErrTransition.
func (s RefillStatus) CheckTransition(next RefillStatus) error {
	return refillMachine.check(s, next)
}

// ParseRefillStatus checks that s names a refill status.
func ParseRefillStatus(s string) (RefillStatus, error) {
	c := &checker{kind: KindRefill}
	refillMachine.checkState(c, "status", RefillStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return RefillStatus(s), nil
}

// Refill is a request to refill one drug of a prescription, made by a nurse or
// doctor for the patient and decided by a doctor. Approving one also calls
// ApproveRefill on the prescription.
type Refill struct {
	Meta
	PrescriptionID ID `json:"prescription_id"`
	PatientID      ID `json:"patient_id"`
	// DrugIndex is the position of the drug in the prescription's Medications.
	DrugIndex    int          `json:"drug_index"`
	RequestedBy  string       `json:"requested_by"`
	Status       RefillStatus `json:"status"`
	DecidedBy    string       `json:"decided_by"`
	DecisionNote string       `json:"decision_note"`
	// Approval is a fresh random ID written by each approval, so two
	// approvals of the same request made offline on two workstations
	// meet in merge as two different values: a refill approved twice.
	Approval ID `json:"approval"`
	// Resolution is how a person settled a double approval.
	Resolution string `json:"resolution"`
}

func init() { register(KindRefill, func() Entity { return &Refill{} }) }

// Kind is KindRefill.
func (*Refill) Kind() Kind { return KindRefill }

// Validate checks every field and lists all that are wrong. A decided request
// must say who decided it.
func (r *Refill) Validate() error {
	c := &checker{kind: KindRefill}
	c.refID("prescription", r.PrescriptionID, "a prescription")
	c.refID("patient", r.PatientID, "a patient")
	if r.DrugIndex < 0 || r.DrugIndex >= maxPrescribed {
		c.add("drug_index", fmt.Sprintf("must be between 0 and %d", maxPrescribed-1))
	}
	c.staff("requested_by", r.RequestedBy)
	refillMachine.checkState(c, "status", r.Status)
	if r.Status == RefillApproved || r.Status == RefillDenied {
		c.staff("decided_by", r.DecidedBy)
	} else {
		c.optStaff("decided_by", r.DecidedBy)
	}
	c.maxLen("decision_note", r.DecisionNote, 1000)
	if r.Status == RefillDenied {
		c.require("decision_note", r.DecisionNote)
	}
	c.optRefID("approval", r.Approval, "an approval")
	c.maxLen("resolution", r.Resolution, 500)
	c.freeText(r)
	return c.err()
}

// The two ways a person settles a refill approved twice, as the
// resolution's first words.
const (
	// RefillBothDispensed: both dispensings stand and both count as
	// refills used.
	RefillBothDispensed = "both dispensed"
	// RefillRecalled: the second dispensing was taken back.
	RefillRecalled = "second dispensing recalled"
)

// ConflictOnRefill is the Conflict.On of a refill request approved twice,
// on two workstations that were both offline.
const ConflictOnRefill = "refill"

// NewRefillConflict builds the conflict of a refill approved twice, by
// the two approvals' IDs. Its ID depends only on the refill, its fields
// only on the approvals, so every replica that met both builds the same
// one; at is when the request was made.
func NewRefillConflict(refill ID, approvals []ID, at time.Time) *Conflict {
	sum := sha256.Sum256([]byte("conflict\x00refill\x00" + string(refill)))
	ids := append([]ID(nil), approvals...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	at = at.UTC()
	return &Conflict{
		Meta:   Meta{ID: ID(hex.EncodeToString(sum[:12])), CreatedAt: at, UpdatedAt: at, CreatedBy: "merge"},
		On:     ConflictOnRefill,
		Refill: refill, Approvals: ids,
		Status: ConflictOpen,
	}
}
