package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"medisecure/core"
)

// Payments: taking them, refunding them, and the day's cash-up. A payment
// is append-only; a refund is a payment of its own with a negative amount.

// paymentsOf loads the payments of an invoice, oldest first.
func (t *txn) paymentsOf(invoice core.ID) ([]core.Payment, error) {
	prefix := append([]byte{classPayment}, invoice.Bytes()...)
	var ids []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, core.ID(hex.EncodeToString(k[len(prefix):])))
	}
	out := make([]core.Payment, 0, len(ids))
	for _, id := range ids {
		var p core.Payment
		if err := t.get(id, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sortPayments(out)
	return out, nil
}

// sortPayments orders payments by when they were taken, then by ID.
func sortPayments(ps []core.Payment) {
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].ReceivedAt.Equal(ps[j].ReceivedAt) {
			return ps[i].ReceivedAt.Before(ps[j].ReceivedAt)
		}
		return ps[i].ID < ps[j].ID
	})
}

// Pay takes money against an issued invoice: p names the invoice, the
// amount (in the clinic's currency), the method and, for a card, the slip
// reference. The desk, the user and the time are filled in. More than the
// invoice still owes is refused with core.ErrOverpaid; a draft or cancelled
// invoice with ErrNotIssued.
//
// A login that may not read invoices (reception) takes a desk payment
// instead (deskpay.go): p names the patient and, in place of the invoice,
// its number (InvoiceNumber) or the visit (AppointmentID); it is sealed to
// billing, never checked against the balance, and not readable here
// afterwards.
func (s *Session) Pay(p core.Payment) (core.Payment, error) {
	p.RefundOf, p.Reason, p.ClaimID = "", "", ""
	if s.authorize(core.ActRead, core.KindInvoice) != nil {
		return s.payAtDesk(p)
	}
	p.InvoiceNumber, p.AppointmentID = "", ""
	err := s.update(func(t *txn) error { return t.pay(&p) })
	return p, err
}

// pay checks and writes a payment in the transaction (Pay, and a claim's
// insurer payment).
func (t *txn) pay(p *core.Payment) error {
	if err := t.s.authorize(core.ActCreate, core.KindPayment); err != nil {
		return err
	}
	v, err := t.invoiceView(p.InvoiceID)
	if err != nil {
		return err
	}
	if v.Invoice.Status != core.InvoiceIssued {
		return fmt.Errorf("%w: invoice %s is %s", ErrNotIssued, v.Invoice.ID, v.Invoice.Status)
	}
	if p.Amount.Currency == "" {
		p.Amount.Currency = v.Invoice.Currency
	}
	if err := checkTaken(p); err != nil {
		return err
	}
	if p.Amount.Currency == v.Invoice.Currency && p.Amount.Minor > v.Account.Balance.Minor {
		return fmt.Errorf("%w: %s is more than the %s still owed", core.ErrOverpaid, p.Amount, v.Account.Balance)
	}
	t.fillPayment(p, v.Invoice)
	return t.create(p)
}

// fillPayment sets who took a payment, where and when.
func (t *txn) fillPayment(p *core.Payment, inv core.Invoice) {
	p.ID, p.PatientID = "", inv.PatientID
	p.ReceivedAt, p.ReceivedBy, p.Desk = t.now, t.s.user.Name, t.s.db.dev.ID
	p.CreatedAt = time.Time{}
}

// Refund gives back amount (positive, in the clinic's currency) of a
// payment, in the same method, as a new negative payment with the reason.
// More than the payment still holds after earlier refunds is refused with
// ErrRefund.
func (s *Session) Refund(paymentID core.ID, amount core.Money, reason string) (core.Payment, error) {
	var r core.Payment
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindPayment); err != nil {
			return err
		}
		var orig core.Payment
		if err := t.get(paymentID, &orig); err != nil {
			return err
		}
		if orig.IsRefund() {
			return fmt.Errorf("%w: %s is itself a refund", ErrRefund, paymentID)
		}
		if err := t.placeDeskPayment(&orig); err != nil {
			return err
		}
		v, err := t.invoiceView(orig.InvoiceID)
		if err != nil {
			return err
		}
		left := orig.Amount.Minor
		for _, p := range v.Payments {
			if p.RefundOf == orig.ID {
				left += p.Amount.Minor
			}
		}
		if amount.Currency == "" {
			amount.Currency = orig.Amount.Currency
		}
		switch {
		case amount.Minor <= 0:
			return &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "amount", Message: "must be more than zero"}}}
		case amount.Currency != orig.Amount.Currency:
			return fmt.Errorf("%w: the payment was in %s", core.ErrCurrency, orig.Amount.Currency)
		case amount.Minor > left:
			return fmt.Errorf("%w: the payment holds %s, less than %s", ErrRefund, core.Money{Minor: left, Currency: amount.Currency}, amount)
		}
		r = core.Payment{InvoiceID: orig.InvoiceID, Amount: amount.Neg(), Method: orig.Method, Reference: orig.Reference, RefundOf: orig.ID, Reason: reason}
		t.fillPayment(&r, v.Invoice)
		return t.create(&r)
	})
	return r, err
}

// Payment returns one payment or refund; a desk payment with the invoice
// it is on filled in, when it is on one here.
func (s *Session) Payment(id core.ID) (core.Payment, error) {
	var p core.Payment
	if err := s.authorize(core.ActRead, core.KindPayment); err != nil {
		return p, err
	}
	err := s.view(func(t *txn) error {
		if err := t.get(id, &p); err != nil {
			return err
		}
		if err := t.placeDeskPayment(&p); err != nil && !errors.Is(err, ErrNotIssued) {
			return err
		}
		return nil
	})
	return p, err
}

// Payments lists every payment and refund received on a day in the
// clinic's zone, oldest first; day "" lists all.
func (s *Session) Payments(day core.Date) ([]core.Payment, error) {
	if err := s.authorize(core.ActRead, core.KindPayment); err != nil {
		return nil, err
	}
	var out []core.Payment
	err := s.view(func(t *txn) error {
		return t.each(core.KindPayment, func(rec *core.Record) error {
			var p core.Payment
			if err := rec.Decode(&p); err != nil {
				return err
			}
			if day == "" || core.DateOf(p.ReceivedAt, s.db.zone) == day {
				out = append(out, p)
			}
			return nil
		})
	})
	sortPayments(out)
	return out, err
}

// DayEnd is the cash-up of a day: takings by desk, user and method.
func (s *Session) DayEnd(day core.Date) (core.CashUp, error) {
	ps, err := s.Payments(day)
	if err != nil {
		return core.CashUp{}, err
	}
	return core.DayEnd(day, s.db.zone, s.db.Currency(), ps), nil
}

// indexPayment files a payment under its invoice and marks the invoice
// for the overpayment check.
func (t *txn) indexPayment(p *core.Payment) error {
	if p.ID == "" {
		return nil
	}
	if p.AtDesk() {
		return t.indexDeskPayment(p)
	}
	t.billed(p.InvoiceID)
	key := append(append([]byte{classPayment}, p.InvoiceID.Bytes()...), p.ID.Bytes()...)
	return t.tx.Bucket(bucketSchedule).Put(key, nil)
}
