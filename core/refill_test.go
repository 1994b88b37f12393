package core

import (
	"strings"
	"testing"
)

func validRefill(tb testing.TB) *Refill {
	tb.Helper()
	return &Refill{
		Meta: sampleMeta(11), PrescriptionID: sampleID(10), PatientID: sampleID(1), DrugIndex: 1,
		RequestedBy: "nurse.kim", Status: RefillApproved, DecidedBy: "dr.lee", DecisionNote: "ok",
	}
}

func TestRefillValidate(t *testing.T) {
	assertValid(t, validRefill(t))
	runInvalid(t, validRefill, []invalidCase[*Refill]{
		{"no prescription", func(r *Refill) { r.PrescriptionID = "" }, []string{"prescription"}},
		{"malformed prescription", func(r *Refill) { r.PrescriptionID = "zz" }, []string{"prescription"}},
		{"no patient", func(r *Refill) { r.PatientID = "" }, []string{"patient"}},
		{"negative drug index", func(r *Refill) { r.DrugIndex = -1 }, []string{"drug_index"}},
		{"drug index past any prescription", func(r *Refill) { r.DrugIndex = maxPrescribed }, []string{"drug_index"}},
		{"no requester", func(r *Refill) { r.RequestedBy = "" }, []string{"requested_by"}},
		{"bad status", func(r *Refill) { r.Status = "maybe" }, []string{"status"}},
		{"approved by no one", func(r *Refill) { r.DecidedBy = "" }, []string{"decided_by"}},
		{"denied by no one", func(r *Refill) { r.Status, r.DecidedBy = RefillDenied, "" }, []string{"decided_by"}},
		{"decider not a user name", func(r *Refill) { r.Status, r.DecidedBy = RefillRequested, "?" }, []string{"decided_by"}},
		{"long note", func(r *Refill) { r.DecisionNote = strings.Repeat("x", 1001) }, []string{"decision_note"}},
	})
	t.Run("requested, undecided", func(t *testing.T) {
		r := validRefill(t)
		r.Status, r.DecidedBy, r.DecisionNote = RefillRequested, "", ""
		assertValid(t, r)
	})
}

func TestRefillStatus(t *testing.T) {
	states := []RefillStatus{RefillRequested, RefillApproved, RefillDenied}
	assertMachine(t, RefillStatus.CheckTransition, states, map[[2]RefillStatus]bool{
		{RefillRequested, RefillApproved}: true,
		{RefillRequested, RefillDenied}:   true,
	})
	assertParse(t, ParseRefillStatus, states)
}
