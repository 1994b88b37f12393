package core

import "time"

// ClaimStatus is where an insurance claim is with the insurer.
type ClaimStatus string

// The claim statuses.
const (
	ClaimDraft     ClaimStatus = "draft"
	ClaimSubmitted ClaimStatus = "submitted"
	ClaimAccepted  ClaimStatus = "accepted"
	ClaimRejected  ClaimStatus = "rejected"
	ClaimPaid      ClaimStatus = "paid"
)

// claimMachine: draft → submitted → accepted | rejected; accepted → paid;
// rejected → draft, to correct and submit again.
var claimMachine = machine[ClaimStatus]{
	kind: KindClaim,
	next: map[ClaimStatus][]ClaimStatus{
		ClaimDraft:     {ClaimSubmitted},
		ClaimSubmitted: {ClaimAccepted, ClaimRejected},
		ClaimAccepted:  {ClaimPaid},
		ClaimRejected:  {ClaimDraft},
		ClaimPaid:      nil,
	},
}

// CheckTransition returns nil when a claim may go from s to next, or a
// *TransitionError wrapping ErrTransition.
func (s ClaimStatus) CheckTransition(next ClaimStatus) error {
	return claimMachine.check(s, next)
}

// ParseClaimStatus checks that s names a claim status.
func ParseClaimStatus(s string) (ClaimStatus, error) {
	c := &checker{kind: KindClaim}
	claimMachine.checkState(c, "status", ClaimStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return ClaimStatus(s), nil
}

// Claim asks a patient's insurer to pay (part of) an invoice.
type Claim struct {
	Meta
	InvoiceID       ID          `json:"invoice_id"`
	PatientID       ID          `json:"patient_id"`
	Insurer         string      `json:"insurer"`
	PolicyNumber    string      `json:"policy_number"`
	Amount          Money       `json:"amount"`
	Status          ClaimStatus `json:"status"`
	SubmittedAt     time.Time   `json:"submitted_at"`
	DecidedAt       time.Time   `json:"decided_at"`
	RejectionReason string      `json:"rejection_reason"`
}

func init() { register(KindClaim, func() Entity { return &Claim{} }) }

// Kind is KindClaim.
func (*Claim) Kind() Kind { return KindClaim }

// Validate checks every field and lists all that are wrong. A claim past
// draft says when it was submitted, a decided one when it was decided, and a
// rejected one why.
func (cl *Claim) Validate() error {
	c := &checker{kind: KindClaim}
	c.refID("invoice", cl.InvoiceID, "an invoice")
	c.refID("patient", cl.PatientID, "a patient")
	if c.require("insurer", cl.Insurer) {
		c.maxLen("insurer", cl.Insurer, 120)
	}
	if c.require("policy_number", cl.PolicyNumber) {
		c.maxLen("policy_number", cl.PolicyNumber, 40)
	}
	switch {
	case !validCurrency(cl.Amount.Currency):
		c.add("amount", "must have an ISO 4217 currency like EUR")
	case cl.Amount.Minor <= 0:
		c.add("amount", "must be more than zero")
	}
	claimMachine.checkState(c, "status", cl.Status)
	submitted := cl.Status != ClaimDraft && claimMachine.valid(cl.Status)
	if submitted && cl.SubmittedAt.IsZero() {
		c.add("submitted_at", "is required once the claim is submitted")
	}
	decided := cl.Status == ClaimAccepted || cl.Status == ClaimRejected || cl.Status == ClaimPaid
	switch {
	case decided && cl.DecidedAt.IsZero():
		c.add("decided_at", "is required once the insurer has decided")
	case decided && cl.DecidedAt.Before(cl.SubmittedAt):
		c.add("decided_at", "must not be before submitted_at")
	}
	if cl.Status == ClaimRejected {
		c.require("rejection_reason", cl.RejectionReason)
	}
	c.maxLen("rejection_reason", cl.RejectionReason, 1000)
	c.freeText(cl)
	return c.err()
}
