package store

import (
	"fmt"

	"medisecure/core"
)

// ErrNoCredit is returned when credit is applied from an invoice that is
// not paid over, or to one that owes nothing, or by more than either
// allows.
var ErrNoCredit = core.NewError(core.ClassValidation, "store: no credit to apply")

// ApplyCredit settles an invoice paid over (two desks took its payment
// offline, the "paid twice over" conflict) by moving what it holds over
// to another issued invoice of the same patient: a negative payment on
// from, refunding part of its latest payment that still holds enough, and
// a positive payment of the same amount on to, both by method credit and
// naming each other. Amount zero moves as much as fits: the lesser of the
// credit and what to still owes. Both are new, append-only payments in
// one transaction, so the conflict resolves and no money is lost on any
// replica. The other way to settle is to refund the overpayment (Refund).
func (s *Session) ApplyCredit(from, to core.ID, amount core.Money) (out, in core.Payment, err error) {
	err = s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindPayment); err != nil {
			return err
		}
		src, err := t.invoiceView(from)
		if err != nil {
			return err
		}
		dst, err := t.invoiceView(to)
		if err != nil {
			return err
		}
		if from == to || src.Invoice.PatientID != dst.Invoice.PatientID {
			return fmt.Errorf("%w: credit moves only to another invoice of the same patient", ErrNoCredit)
		}
		if dst.Invoice.Status != core.InvoiceIssued {
			return fmt.Errorf("%w: invoice %s is %s", ErrNotIssued, dst.Invoice.ID, dst.Invoice.Status)
		}
		credit := src.Account.Balance.Neg()
		if amount.Currency == "" {
			amount.Currency = credit.Currency
		}
		if amount.Minor == 0 {
			amount.Minor = min(credit.Minor, dst.Account.Balance.Minor)
		}
		switch {
		case amount.Currency != credit.Currency || amount.Currency != dst.Account.Balance.Currency:
			return fmt.Errorf("%w: both invoices must be in %s", core.ErrCurrency, amount.Currency)
		case credit.Minor <= 0:
			return fmt.Errorf("%w: invoice %s is not paid over (balance %s)", ErrNoCredit, src.Invoice.ID, src.Account.Balance)
		case dst.Account.Balance.Minor <= 0:
			return fmt.Errorf("%w: invoice %s owes nothing", ErrNoCredit, dst.Invoice.ID)
		case amount.Minor <= 0 || amount.Minor > credit.Minor || amount.Minor > dst.Account.Balance.Minor:
			return fmt.Errorf("%w: %s is more than the credit of %s or the %s still owed", ErrNoCredit, amount, credit, dst.Account.Balance)
		}
		of, ok := refundable(src.Payments, amount.Minor)
		if !ok {
			return fmt.Errorf("%w: no one payment on %s holds %s; refund it in parts", ErrNoCredit, src.Invoice.ID, amount)
		}
		out = core.Payment{InvoiceID: from, Amount: amount.Neg(), Method: core.PaymentCredit, RefundOf: of,
			Reason: "credit applied to invoice " + orID(dst.Invoice.Number, to)}
		t.fillPayment(&out, src.Invoice)
		if err := t.create(&out); err != nil {
			return err
		}
		in = core.Payment{InvoiceID: to, Amount: amount, Method: core.PaymentCredit, Reference: "credit from invoice " + orID(src.Invoice.Number, from)}
		t.fillPayment(&in, dst.Invoice)
		return t.create(&in)
	})
	return out, in, err
}

// refundable is the latest payment that still holds at least minor after
// its refunds.
func refundable(payments []core.Payment, minor int64) (core.ID, bool) {
	left := map[core.ID]int64{}
	for _, p := range payments {
		if p.IsRefund() {
			left[p.RefundOf] += p.Amount.Minor
		} else {
			left[p.ID] += p.Amount.Minor
		}
	}
	var best core.Payment
	for _, p := range payments {
		if !p.IsRefund() && left[p.ID] >= minor && (best.ID == "" || p.ReceivedAt.After(best.ReceivedAt)) {
			best = p
		}
	}
	return best.ID, best.ID != ""
}

// orID is an invoice's number, or its ID while it has none.
func orID(number string, id core.ID) string {
	if number == "" {
		return string(id)
	}
	return number
}
