package tui

import (
	"fmt"

	"medisecure/core"
)

func (s *fakeSession) Fees() ([]core.Fee, error) {
	if err := s.lock(core.ActRead, core.KindFee); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	return append([]core.Fee(nil), s.b.bill.fees...), nil
}

func (s *fakeSession) CreateInvoice(inv core.Invoice) (core.Invoice, error) {
	if err := s.lock(core.ActCreate, core.KindInvoice); err != nil {
		return inv, err
	}
	defer s.b.mu.Unlock()
	s.b.next++
	now := s.b.clock.Now().UTC()
	inv.ID, inv.CreatedAt, inv.UpdatedAt, inv.CreatedBy = fakeID(s.b.next), now, now, s.p.User
	inv.Currency, inv.Status = "EUR", core.InvoiceDraft
	if err := inv.Validate(); err != nil {
		return inv, err
	}
	s.b.bill.invoices = append(s.b.bill.invoices, inv)
	s.b.status.Pending++
	return inv, nil
}

func (s *fakeSession) IssueInvoice(id core.ID) (core.Invoice, error) {
	if err := s.lock(core.ActUpdate, core.KindInvoice); err != nil {
		return core.Invoice{}, err
	}
	defer s.b.mu.Unlock()
	for i, inv := range s.b.bill.invoices {
		if inv.ID == id {
			s.b.next++
			inv.Status, inv.IssuedAt, inv.Number = core.InvoiceIssued, s.b.clock.Now().UTC(), fmt.Sprintf("8CB3E2CF29CFC7E8-%06d", 100+s.b.next)
			s.b.bill.invoices[i] = inv
			return inv, nil
		}
	}
	return core.Invoice{}, errFakeNotFound
}

func (s *fakeSession) ApplyCredit(from, to core.ID, amount core.Money) (out, in core.Payment, err error) {
	if err := s.lock(core.ActCreate, core.KindPayment); err != nil {
		return out, in, err
	}
	defer s.b.mu.Unlock()
	src, err := s.findInvoice(from)
	if err != nil {
		return out, in, err
	}
	dst, err := s.findInvoice(to)
	if err != nil {
		return out, in, err
	}
	if amount.Minor == 0 {
		amount = core.Money{Minor: min(-src.Account.Balance.Minor, dst.Account.Balance.Minor), Currency: "EUR"}
	}
	if amount.Minor <= 0 || src.Invoice.PatientID != dst.Invoice.PatientID {
		return out, in, fmt.Errorf("%w: no credit to apply", errFakeNotFound)
	}
	last := src.Payments[len(src.Payments)-1]
	if out, err = s.addPayment(core.Payment{InvoiceID: from, Amount: amount.Neg(), Method: core.PaymentCredit, RefundOf: last.ID, Reason: "credit applied"}, src.Invoice); err != nil {
		return out, in, err
	}
	in, err = s.addPayment(core.Payment{InvoiceID: to, Amount: amount, Method: core.PaymentCredit}, dst.Invoice)
	return out, in, err
}
