package store

import (
	"encoding/json"
	"errors"
	"testing"

	"medisecure/core"
)

func TestInsuranceClaim(t *testing.T) {
	f := newBillingFixture(t)
	inv := f.issued(t, 2) // 107.10
	if _, err := f.billing.CreateClaim(inv.ID); !errors.Is(err, ErrNoInsurance) {
		t.Fatalf("claim without insurance: %v", err)
	}
	p := f.patient
	p.InsurerName, p.InsuranceNumber = "AOK Nordost", "A123456789"
	_, err := f.desk.UpdatePatient(p)
	must(t, err)
	_, err = f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(710), Method: core.PaymentCash})
	must(t, err)
	cl, err := f.billing.CreateClaim(inv.ID)
	must(t, err)
	if cl.Status != core.ClaimDraft || cl.Amount != eur(10000) || cl.Insurer != "AOK Nordost" || cl.PolicyNumber != "A123456789" {
		t.Fatalf("claim = %+v", cl)
	}
	if _, err := f.desk.Claims(""); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception read claims: %v", err)
	}
	if _, err := f.billing.SetClaimStatus(cl.ID, core.ClaimAccepted, "", core.Money{}); !errors.Is(err, core.ErrTransition) {
		t.Errorf("accepted before submitted: %v", err)
	}
	_, err = f.billing.SetClaimStatus(cl.ID, core.ClaimSubmitted, "", core.Money{})
	must(t, err)
	doc, err := f.billing.ClaimFHIR(cl.ID)
	must(t, err)
	var r map[string]any
	must(t, json.Unmarshal(doc, &r))
	if r["resourceType"] != "Claim" || r["status"] != "active" || r["use"] != "claim" {
		t.Errorf("FHIR claim = %s", doc)
	}
	if _, err := f.billing.SetClaimStatus(cl.ID, core.ClaimRejected, "", core.Money{}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("rejected without a reason: %v", err)
	}
	_, err = f.billing.SetClaimStatus(cl.ID, core.ClaimRejected, "member number unknown", core.Money{})
	must(t, err)
	for _, st := range []core.ClaimStatus{core.ClaimDraft, core.ClaimSubmitted, core.ClaimAccepted} {
		_, err = f.billing.SetClaimStatus(cl.ID, st, "", core.Money{})
		must(t, err)
	}
	if _, err := f.billing.SetClaimStatus(cl.ID, core.ClaimPaid, "", eur(10001)); !errors.Is(err, core.ErrOverpaid) {
		t.Errorf("insurer paid more than owed: %v", err)
	}
	paid, err := f.billing.SetClaimStatus(cl.ID, core.ClaimPaid, "", core.Money{})
	must(t, err)
	v, err := f.billing.Invoice(inv.ID)
	must(t, err)
	var last core.Payment
	for _, p := range v.Payments {
		if p.ClaimID != "" {
			last = p
		}
	}
	if paid.Status != core.ClaimPaid || v.Account.Status != core.InvoicePaid || last.Method != core.PaymentInsurance || last.ClaimID != cl.ID {
		t.Errorf("after the insurer paid: claim %s, invoice %+v, payment %+v", paid.Status, v.Account, last)
	}
	list, err := f.billing.Claims(core.ClaimPaid)
	must(t, err)
	if len(list) != 1 || list[0].ID != cl.ID {
		t.Errorf("paid claims = %+v", list)
	}
	other := f.issued(t, 1)
	_, err = f.billing.Pay(core.Payment{InvoiceID: other.ID, Amount: eur(5355), Method: core.PaymentCash})
	must(t, err)
	if _, err := f.billing.CreateClaim(other.ID); !errors.Is(err, ErrNotIssued) {
		t.Errorf("claim on a paid invoice: %v", err)
	}
}
