package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"medisecure/core"
)

// ErrNoInsurance is returned when claiming for a patient with no insurer
// or member number on record.
var ErrNoInsurance = core.NewError(core.ClassValidation, "store: the patient has no insurer and member number on record")

// CreateClaim drafts an insurance claim for what is still owed on an
// issued invoice, to the patient's insurer with their member number.
func (s *Session) CreateClaim(invoice core.ID) (core.Claim, error) {
	var cl core.Claim
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindClaim); err != nil {
			return err
		}
		v, err := t.invoiceView(invoice)
		if err != nil {
			return err
		}
		if !v.Account.Open() {
			return fmt.Errorf("%w: invoice %s is %s with %s owed", ErrNotIssued, v.Invoice.Number, v.Account.Status, v.Account.Balance)
		}
		var p core.Patient
		if err := t.get(v.Invoice.PatientID, &p); err != nil {
			return err
		}
		if strings.TrimSpace(p.InsurerName) == "" || strings.TrimSpace(p.InsuranceNumber) == "" {
			return fmt.Errorf("%w; set them with clinic patient edit %s --insurer NAME --insurance-number NUMBER", ErrNoInsurance, p.ID)
		}
		cl = core.Claim{InvoiceID: invoice, PatientID: p.ID, Insurer: p.InsurerName, PolicyNumber: p.InsuranceNumber,
			Amount: v.Account.Balance, Status: core.ClaimDraft}
		return t.create(&cl)
	})
	return cl, err
}

// SetClaimStatus moves a claim along draft → submitted → accepted |
// rejected (with a reason) → paid, or a rejected one back to draft. Paying
// posts the insurer's payment (amount, default the claim's) to the invoice
// in the same transaction; more than is owed is refused with
// core.ErrOverpaid.
func (s *Session) SetClaimStatus(id core.ID, to core.ClaimStatus, reason string, amount core.Money) (core.Claim, error) {
	var cl core.Claim
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindClaim); err != nil {
			return err
		}
		if err := t.get(id, &cl); err != nil {
			return err
		}
		if err := cl.Status.CheckTransition(to); err != nil {
			return err
		}
		switch to {
		case core.ClaimSubmitted:
			cl.SubmittedAt, cl.DecidedAt, cl.RejectionReason = t.now, time.Time{}, ""
		case core.ClaimAccepted, core.ClaimRejected:
			cl.DecidedAt, cl.RejectionReason = t.now, reason
			if to == core.ClaimAccepted {
				cl.RejectionReason = ""
			}
		case core.ClaimPaid:
			if amount.Minor == 0 {
				amount = cl.Amount
			}
			p := core.Payment{InvoiceID: cl.InvoiceID, Amount: amount, Method: core.PaymentInsurance, Reference: "claim " + string(cl.ID), ClaimID: cl.ID}
			if err := t.pay(&p); err != nil {
				return err
			}
		}
		cl.Status = to
		return t.save(&cl)
	})
	return cl, err
}

// Claim returns one claim.
func (s *Session) Claim(id core.ID) (core.Claim, error) {
	var cl core.Claim
	if err := s.authorize(core.ActRead, core.KindClaim); err != nil {
		return cl, err
	}
	err := s.view(func(t *txn) error { return t.get(id, &cl) })
	return cl, err
}

// Claims lists the claims in a status ("" for all), oldest first: the
// worklist by status.
func (s *Session) Claims(status core.ClaimStatus) ([]core.Claim, error) {
	if err := s.authorize(core.ActRead, core.KindClaim); err != nil {
		return nil, err
	}
	var out []core.Claim
	err := s.view(func(t *txn) error {
		return t.each(core.KindClaim, func(rec *core.Record) error {
			var cl core.Claim
			if rec.Deleted() {
				return nil
			}
			if err := rec.Decode(&cl); err != nil {
				return err
			}
			if cl.ID != "" && (status == "" || cl.Status == status) {
				out = append(out, cl)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// ClaimFHIR is a claim as a FHIR R4 Claim resource (JSON).
func (s *Session) ClaimFHIR(id core.ID) ([]byte, error) {
	cl, err := s.Claim(id)
	if err != nil {
		return nil, err
	}
	v, err := s.Invoice(cl.InvoiceID)
	if err != nil {
		return nil, err
	}
	names, err := s.PatientNames([]core.ID{cl.PatientID})
	if err != nil {
		return nil, err
	}
	return core.FHIRClaim(&cl, &v.Invoice, names[cl.PatientID], s.db.org.Name)
}
