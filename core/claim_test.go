package core

import (
	"strings"
	"testing"
	"time"
)

func validClaim(tb testing.TB) *Claim {
	tb.Helper()
	return &Claim{
		Meta: sampleMeta(100), InvoiceID: sampleID(90), PatientID: sampleID(1), Insurer: "Medis",
		PolicyNumber: "PT-889-221", Amount: Money{Minor: 6750, Currency: "EUR"}, Status: ClaimRejected,
		SubmittedAt: sampleAt, DecidedAt: sampleAt.Add(72 * time.Hour), RejectionReason: "policy lapsed",
	}
}

func TestClaimValidate(t *testing.T) {
	assertValid(t, validClaim(t))
	t.Run("draft", func(t *testing.T) {
		c := validClaim(t)
		c.Status, c.SubmittedAt, c.DecidedAt, c.RejectionReason = ClaimDraft, time.Time{}, time.Time{}, ""
		assertValid(t, c)
	})
	t.Run("resubmitted after a rejection", func(t *testing.T) {
		c := validClaim(t)
		c.Status, c.SubmittedAt = ClaimSubmitted, c.DecidedAt.Add(time.Hour)
		assertValid(t, c)
	})
	runInvalid(t, validClaim, []invalidCase[*Claim]{
		{"no invoice", func(c *Claim) { c.InvoiceID = "" }, []string{"invoice"}},
		{"malformed invoice", func(c *Claim) { c.InvoiceID = "i" }, []string{"invoice"}},
		{"no patient", func(c *Claim) { c.PatientID = "" }, []string{"patient"}},
		{"no insurer", func(c *Claim) { c.Insurer = "" }, []string{"insurer"}},
		{"long insurer", func(c *Claim) { c.Insurer = strings.Repeat("x", 121) }, []string{"insurer"}},
		{"no policy", func(c *Claim) { c.PolicyNumber = "" }, []string{"policy_number"}},
		{"long policy", func(c *Claim) { c.PolicyNumber = strings.Repeat("9", 41) }, []string{"policy_number"}},
		{"zero amount", func(c *Claim) { c.Amount.Minor = 0 }, []string{"amount"}},
		{"bad currency", func(c *Claim) { c.Amount.Currency = "euro" }, []string{"amount"}},
		{"bad status", func(c *Claim) { c.Status = "lost" }, []string{"status"}},
		{"submitted when?", func(c *Claim) { c.Status, c.SubmittedAt = ClaimSubmitted, time.Time{} }, []string{"submitted_at"}},
		{"accepted when?", func(c *Claim) { c.Status, c.DecidedAt = ClaimAccepted, time.Time{} }, []string{"decided_at"}},
		{"decided before submitted", func(c *Claim) { c.DecidedAt = c.SubmittedAt.Add(-time.Hour) }, []string{"decided_at"}},
		{"rejected without reason", func(c *Claim) { c.RejectionReason = " " }, []string{"rejection_reason"}},
		{"long reason", func(c *Claim) { c.RejectionReason = strings.Repeat("x", 1001) }, []string{"rejection_reason"}},
	})
}

func TestClaimStatus(t *testing.T) {
	states := []ClaimStatus{ClaimDraft, ClaimSubmitted, ClaimAccepted, ClaimRejected, ClaimPaid}
	assertMachine(t, ClaimStatus.CheckTransition, states, map[[2]ClaimStatus]bool{
		{ClaimDraft, ClaimSubmitted}:    true,
		{ClaimSubmitted, ClaimAccepted}: true,
		{ClaimSubmitted, ClaimRejected}: true,
		{ClaimAccepted, ClaimPaid}:      true,
		{ClaimRejected, ClaimDraft}:     true,
	})
	assertParse(t, ParseClaimStatus, states)
}
