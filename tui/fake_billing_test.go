package tui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"medisecure/core"
)

// fakeBilling holds the fake backend's invoices and payments; accounts,
// statuses and conflicts are worked out with core's functions, as the
// store does.
type fakeBilling struct {
	invoices []core.Invoice
	payments []core.Payment
	claims   []core.Claim
	fees     []core.Fee
}

// errFakeNotFound is the fake's "not found".
var errFakeNotFound = errors.New("store: not found")

// viewOf is an invoice with its payments and account; the lock is held.
func (s *fakeSession) viewOf(inv core.Invoice) core.InvoiceView {
	v := core.InvoiceView{Invoice: inv}
	for _, p := range s.b.bill.payments {
		if p.AtDesk() && s.deskTarget(p) == inv.ID {
			p.InvoiceID = inv.ID
		}
		if p.InvoiceID == inv.ID {
			v.Payments = append(v.Payments, p)
		}
	}
	v.Account, _ = core.InvoiceAccount(&v.Invoice, v.Payments)
	return v
}

// deskTarget is the invoice a desk payment is on, as the store puts it:
// the one with its number, or the first issued of its visit; "" for none.
// The lock is held.
func (s *fakeSession) deskTarget(p core.Payment) core.ID {
	var best *core.Invoice
	for i := range s.b.bill.invoices {
		inv := &s.b.bill.invoices[i]
		switch {
		case inv.PatientID != p.PatientID:
		case p.InvoiceNumber != "":
			if strings.EqualFold(inv.Number, p.InvoiceNumber) {
				return inv.ID
			}
		case inv.AppointmentID == p.AppointmentID && inv.Status == core.InvoiceIssued:
			if best == nil || inv.IssuedAt.Before(best.IssuedAt) {
				best = inv
			}
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

func (s *fakeSession) findInvoice(id core.ID) (core.InvoiceView, error) {
	for _, inv := range s.b.bill.invoices {
		if inv.ID == id {
			return s.viewOf(inv), nil
		}
	}
	return core.InvoiceView{}, fmt.Errorf("%w: invoice %s", errFakeNotFound, id)
}

func (s *fakeSession) Invoices(f core.InvoiceFilter) ([]core.InvoiceView, error) {
	if err := s.lock(core.ActRead, core.KindInvoice); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.InvoiceView
	for _, inv := range s.b.bill.invoices {
		v := s.viewOf(inv)
		if f.Patient != "" && inv.PatientID != f.Patient || f.Unpaid && !v.Account.Open() || f.Status != "" && v.Account.Status != f.Status {
			continue
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Invoice.CreatedAt.After(out[j].Invoice.CreatedAt) })
	return out, nil
}

func (s *fakeSession) Currency() string { return "EUR" }

func (s *fakeSession) Invoice(id core.ID) (core.InvoiceView, error) {
	if err := s.lock(core.ActRead, core.KindInvoice); err != nil {
		return core.InvoiceView{}, err
	}
	defer s.b.mu.Unlock()
	return s.findInvoice(id)
}

func (s *fakeSession) Account(patient core.ID) (core.PatientAccount, error) {
	vs, err := s.Invoices(core.InvoiceFilter{Patient: patient})
	a := core.PatientAccount{PatientID: patient, Invoices: vs, Balance: core.Money{Currency: "EUR"}}
	for _, v := range vs {
		a.Balance.Minor += v.Account.Balance.Minor
	}
	if err != nil {
		return a, err
	}
	s.b.mu.Lock()
	for _, p := range s.b.bill.payments {
		if p.PatientID == patient && p.AtDesk() && s.deskTarget(p) == "" {
			a.AtDesk = append(a.AtDesk, p)
			a.Balance.Minor -= p.Amount.Minor
		}
	}
	s.b.access = append(s.b.access, s.p.User+" account "+string(patient))
	s.b.mu.Unlock()
	return a, err
}

func (s *fakeSession) Pay(p core.Payment) (core.Payment, error) {
	if !core.Can(s.p, core.ActRead, core.KindInvoice) {
		return s.payAtDesk(p)
	}
	if err := s.lock(core.ActCreate, core.KindPayment); err != nil {
		return p, err
	}
	defer s.b.mu.Unlock()
	v, err := s.findInvoice(p.InvoiceID)
	if err != nil {
		return p, err
	}
	if p.Method == core.PaymentCard && p.Reference == "" {
		return p, &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "reference", Message: "is required for a card payment (the slip number)"}}}
	}
	if p.Amount.Minor > v.Account.Balance.Minor {
		return p, fmt.Errorf("%w: %s is more than the %s still owed", core.ErrOverpaid, p.Amount, v.Account.Balance)
	}
	return s.addPayment(p, v.Invoice)
}

func (s *fakeSession) Refund(id core.ID, amount core.Money, reason string) (core.Payment, error) {
	if err := s.lock(core.ActCreate, core.KindPayment); err != nil {
		return core.Payment{}, err
	}
	defer s.b.mu.Unlock()
	for _, orig := range s.b.bill.payments {
		if orig.ID != id {
			continue
		}
		if orig.AtDesk() {
			orig.InvoiceID = s.deskTarget(orig)
		}
		v, err := s.findInvoice(orig.InvoiceID)
		if err != nil {
			return orig, err
		}
		left := orig.Amount.Minor
		for _, p := range v.Payments {
			if p.RefundOf == orig.ID {
				left += p.Amount.Minor
			}
		}
		switch {
		case orig.RefundOf != "":
			return core.Payment{}, fmt.Errorf("store: %s is itself a refund: %w", id, core.ErrInvalid)
		case amount.Minor <= 0:
			return core.Payment{}, &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "amount", Message: "must be more than zero"}}}
		case amount.Minor > left:
			return core.Payment{}, fmt.Errorf("store: the payment holds %s, less than %s: %w", core.Money{Minor: left, Currency: orig.Amount.Currency}, amount, core.ErrInvalid)
		}
		return s.addPayment(core.Payment{InvoiceID: orig.InvoiceID, Amount: amount.Neg(), Method: orig.Method, RefundOf: id, Reason: reason}, v.Invoice)
	}
	return core.Payment{}, errFakeNotFound
}

// payAtDesk takes a payment as reception, which reads no invoice: it
// names the patient and the invoice's number or the visit, and is not
// checked against the balance.
func (s *fakeSession) payAtDesk(p core.Payment) (core.Payment, error) {
	if p.InvoiceID != "" {
		return p, core.Authorize(s.p, core.ActRead, core.KindInvoice)
	}
	if err := s.lock(core.ActCreate, core.KindPayment); err != nil {
		return p, err
	}
	defer s.b.mu.Unlock()
	if p.Method == core.PaymentCard && p.Reference == "" {
		return p, &core.ValidationError{Kind: core.KindPayment, Fields: []core.FieldError{{Field: "reference", Message: "is required for a card payment (the slip number)"}}}
	}
	if p.Amount.Currency == "" {
		p.Amount.Currency = "EUR"
	}
	return s.addPayment(p, core.Invoice{PatientID: p.PatientID})
}

// issue puts an issued invoice of one untaxed line of minor units of EUR
// on the books, as the store's CreateInvoice and IssueInvoice would.
func (s *fakeSession) issue(t testing.TB, patient core.ID, minor int64) core.ID {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.next++
	now := s.b.clock.Now().UTC()
	inv := core.Invoice{Meta: core.Meta{ID: fakeID(s.b.next), CreatedAt: now, UpdatedAt: now, CreatedBy: s.p.User}, PatientID: patient,
		Number: fmt.Sprintf("FAKE-%06d", s.b.next), Currency: "EUR", Status: core.InvoiceIssued, IssuedAt: now,
		Items: []core.InvoiceItem{{Description: "Consultation", Quantity: 1, UnitPrice: core.Money{Minor: minor, Currency: "EUR"}}}}
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	s.b.bill.invoices = append(s.b.bill.invoices, inv)
	return inv.ID
}

// addPayment validates and keeps a payment; the lock is held.
func (s *fakeSession) addPayment(p core.Payment, inv core.Invoice) (core.Payment, error) {
	s.b.next++
	now := s.b.clock.Now().UTC()
	p.ID, p.PatientID, p.CreatedAt, p.UpdatedAt, p.CreatedBy = fakeID(s.b.next), inv.PatientID, now, now, s.p.User
	p.ReceivedAt, p.ReceivedBy, p.Desk = now, s.p.User, "desk-1"
	if err := p.Validate(); err != nil {
		return p, err
	}
	s.b.bill.payments = append(s.b.bill.payments, p)
	s.b.status.Pending++
	return p, nil
}

func (s *fakeSession) DayEnd(day core.Date) (core.CashUp, error) {
	if err := s.lock(core.ActRead, core.KindPayment); err != nil {
		return core.CashUp{}, err
	}
	defer s.b.mu.Unlock()
	return core.DayEnd(day, s.b.zone, "EUR", s.b.bill.payments), nil
}

func (s *fakeSession) Claims(status core.ClaimStatus) ([]core.Claim, error) {
	if err := s.lock(core.ActRead, core.KindClaim); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Claim
	for _, c := range s.b.bill.claims {
		if status == "" || c.Status == status {
			out = append(out, c)
		}
	}
	return out, nil
}

// seedBilling gives the fake clinic a billing user (bea), fees' worth of
// invoices in every state and payments at two desks, one invoice paid
// twice over; Zoë's is for her visit this morning.
func seedBilling(b *fakeBackend) {
	b.users["bea"] = &fakeUser{pass: "demo", role: core.RoleBilling}
	eur := func(m int64) core.Money { return core.Money{Minor: m, Currency: "EUR"} }
	item := func(desc string, m int64) []core.InvoiceItem {
		return []core.InvoiceItem{{Code: "CONS", Description: desc, Quantity: 1, UnitPrice: eur(m), Tax: 1900}}
	}
	inv := func(n, patient, day int, number string, items []core.InvoiceItem) core.Invoice {
		at := at(day, 11, 0).UTC()
		return core.Invoice{Meta: core.Meta{ID: fakeID(700 + n), CreatedAt: at, CreatedBy: "bea"}, PatientID: fakeID(patient), Number: number,
			Items: items, Currency: "EUR", Status: core.InvoiceIssued, IssuedAt: at, DueDate: "2026-04-09"}
	}
	b.bill.invoices = []core.Invoice{
		inv(1, 1, 9, "8CB3E2CF29CFC7E8-000011", item("Consultation", 4500)),
		inv(2, 2, 2, "8CB3E2CF29CFC7E8-000004", item("Consultation, long", 8000)),
		inv(3, 3, 5, "8CB3E2CF29CFC7E8-000007", item("Dressing and review", 3000)),
		inv(4, 4, 6, "1F00A9B2C3D4E5F6-000002", item("Consultation", 4500)),
		inv(5, 5, 3, "1F00A9B2C3D4E5F6-000001", item("Vaccination", 2500)),
	}
	b.bill.invoices[0].AppointmentID = b.appts[0].ID
	pay := func(n, invoice, day int, m int64, method core.PaymentMethod, by, desk, ref string) core.Payment {
		at := at(day, 12, 0).UTC()
		return core.Payment{Meta: core.Meta{ID: fakeID(800 + n), CreatedAt: at, CreatedBy: by}, InvoiceID: fakeID(700 + invoice), PatientID: b.bill.invoices[invoice-1].PatientID,
			Amount: eur(m), Method: method, ReceivedAt: at, ReceivedBy: by, Desk: desk, Reference: ref}
	}
	claim := func(n, invoice int, st core.ClaimStatus) core.Claim {
		at := at(9, 15, 0).UTC()
		c := core.Claim{Meta: core.Meta{ID: fakeID(900 + n), CreatedAt: at}, InvoiceID: fakeID(700 + invoice), PatientID: b.bill.invoices[invoice-1].PatientID,
			Insurer: "AOK Nordost", PolicyNumber: fmt.Sprintf("A%09d", n), Amount: eur(4000), Status: st}
		if st != core.ClaimDraft {
			c.SubmittedAt = at
		}
		return c
	}
	b.bill.claims = []core.Claim{claim(1, 2, core.ClaimSubmitted), claim(2, 3, core.ClaimDraft), claim(3, 1, core.ClaimSubmitted)}
	b.bill.fees = []core.Fee{
		{Code: "CONS15", Description: "Consultation", Price: eur(4500), Tax: 1900, Visit: 15},
		{Code: "CONS30", Description: "Consultation, long", Price: eur(8000), Tax: 1900, Visit: 30},
		{Code: "DRESS", Description: "Dressing", Price: eur(250)},
		{Code: "VACC", Description: "Vaccination", Price: eur(2500)},
	}
	b.bill.payments = []core.Payment{
		pay(1, 2, 2, 4000, core.PaymentCash, "ana", "desk-1", ""),
		pay(2, 4, 6, 5355, core.PaymentCash, "ana", "desk-1", ""),
		pay(3, 4, 6, 5355, core.PaymentCard, "bea", "desk-2", "slip 4411"),
		pay(4, 5, 10, 2975, core.PaymentInsurance, "bea", "desk-2", "claim 77"),
		pay(5, 3, 10, 1000, core.PaymentCash, "ana", "desk-1", ""),
	}
}

func (s *fakeSession) SetClaimStatus(id core.ID, to core.ClaimStatus, reason string, amount core.Money) (core.Claim, error) {
	if err := s.lock(core.ActUpdate, core.KindClaim); err != nil {
		return core.Claim{}, err
	}
	defer s.b.mu.Unlock()
	for i, c := range s.b.bill.claims {
		if c.ID != id {
			continue
		}
		if err := c.Status.CheckTransition(to); err != nil {
			return c, err
		}
		now := s.b.clock.Now().UTC()
		switch to {
		case core.ClaimSubmitted:
			c.SubmittedAt = now
		case core.ClaimAccepted, core.ClaimRejected:
			c.DecidedAt, c.RejectionReason = now, reason
		case core.ClaimPaid:
			v, err := s.findInvoice(c.InvoiceID)
			if err != nil {
				return c, err
			}
			if _, err := s.addPayment(core.Payment{InvoiceID: c.InvoiceID, Amount: c.Amount, Method: core.PaymentInsurance, ClaimID: c.ID, Reference: "claim"}, v.Invoice); err != nil {
				return c, err
			}
		}
		c.Status = to
		if err := c.Validate(); err != nil {
			return c, err
		}
		s.b.bill.claims[i] = c
		return c, nil
	}
	return core.Claim{}, errFakeNotFound
}
