package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"medisecure/core"
)

// billingFixture is the fixture with a billing user and two fees.
type billingFixture struct {
	*fixture
	billing *Session
	patient core.Patient
}

func newBillingFixture(t testing.TB) *billingFixture {
	t.Helper()
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "billing", Role: core.RoleBilling}, "billing-pass"))
	b, err := f.db.Login("billing", "billing-pass")
	must(t, err)
	bf := &billingFixture{fixture: f, billing: b, patient: f.patient(t, "Ana Silva", "1984-03-27", "+351 912 345 678")}
	for _, fee := range []core.Fee{
		{Code: "cons", Description: "Consultation", Price: core.Money{Minor: 4500}, Tax: 1900},
		{Code: "DRESS", Description: "Dressing", Price: core.Money{Minor: 250}},
	} {
		if _, err := b.SetFee(fee); err != nil {
			t.Fatalf("set fee %s: %v", fee.Code, err)
		}
	}
	return bf
}

// issued creates and issues an invoice of qty consultations.
func (f *billingFixture) issued(t testing.TB, qty int) core.Invoice {
	t.Helper()
	fee, err := f.billing.Fee("CONS")
	must(t, err)
	inv, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, Items: []core.InvoiceItem{fee.Item(qty)}})
	must(t, err)
	inv, err = f.billing.IssueInvoice(inv.ID)
	must(t, err)
	return inv
}

func eur(minor int64) core.Money { return core.Money{Minor: minor, Currency: "EUR"} }

func TestFeeSchedule(t *testing.T) {
	f := newBillingFixture(t)
	fees, err := f.desk.Fees()
	must(t, err)
	if len(fees) != 2 || fees[0].Code != "CONS" || fees[0].Price != eur(4500) || fees[1].Code != "DRESS" {
		t.Fatalf("fees = %+v", fees)
	}
	// The same code again changes the fee instead of adding a second.
	_, err = f.billing.SetFee(core.Fee{Code: "CONS", Description: "Consultation (long)", Price: eur(6000), Tax: 1900})
	must(t, err)
	got, err := f.billing.Fee("cons")
	must(t, err)
	if got.Price != eur(6000) || got.Description != "Consultation (long)" {
		t.Errorf("after update: %+v", got)
	}
	if fees, _ := f.billing.Fees(); len(fees) != 2 {
		t.Errorf("%d fees after updating one, want 2", len(fees))
	}
	if _, err := f.desk.SetFee(core.Fee{Code: "X", Description: "x", Price: eur(1)}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception set a fee: %v", err)
	}
	if _, err := f.admin.SetFee(core.Fee{Code: "XRAY", Description: "X-ray", Price: eur(8000)}); err != nil {
		t.Errorf("admin may keep the fee schedule: %v", err)
	}
	if _, err := f.billing.Fee("NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown fee: %v", err)
	}
	if _, err := f.billing.SetFee(core.Fee{Code: "BAD CODE", Description: "x", Price: eur(1)}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("bad code: %v", err)
	}
}

func TestInvoiceLifecycleAndNumbers(t *testing.T) {
	f := newBillingFixture(t)
	fee, _ := f.billing.Fee("CONS")
	draft, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, Items: []core.InvoiceItem{fee.Item(1)}})
	must(t, err)
	if draft.Status != core.InvoiceDraft || draft.Number != "" || draft.Currency != "EUR" {
		t.Fatalf("draft = %+v", draft)
	}
	if _, err := f.billing.Pay(core.Payment{InvoiceID: draft.ID, Amount: eur(100), Method: core.PaymentCash}); !errors.Is(err, ErrNotIssued) {
		t.Errorf("payment on a draft: %v", err)
	}
	series := f.db.InvoiceSeries()
	for i := 1; i <= 3; i++ {
		inv := draft
		if i > 1 {
			inv, err = f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, Items: []core.InvoiceItem{fee.Item(1)}})
			must(t, err)
		}
		got, err := f.billing.IssueInvoice(inv.ID)
		must(t, err)
		if want := fmt.Sprintf("%s-%06d", series, i); got.Number != want {
			t.Errorf("invoice %d numbered %q, want %q", i, got.Number, want)
		}
		if got.DueDate != "2026-12-26" || got.Desk != f.db.DeviceID() {
			t.Errorf("issued = %+v", got)
		}
	}
	if _, err := f.billing.IssueInvoice(draft.ID); !errors.Is(err, core.ErrTransition) {
		t.Errorf("issued twice: %v", err)
	}
	// A refused issue (a draft that fails validation) uses no number.
	empty, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID})
	must(t, err)
	if _, err := f.billing.IssueInvoice(empty.ID); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("issued an empty invoice: %v", err)
	}
	next := f.issued(t, 1)
	if want := fmt.Sprintf("%s-%06d", series, 4); next.Number != want {
		t.Errorf("after a refused issue the number is %q, want %q (no gap)", next.Number, want)
	}
	// Cancel: a credit note, never a deletion.
	if _, err := f.billing.CancelInvoice(next.ID, ""); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("cancel without reason: %v", err)
	}
	c, err := f.billing.CancelInvoice(next.ID, "issued to the wrong patient")
	must(t, err)
	if c.Status != core.InvoiceCancelled || c.CreditNote != "CN-"+series+"-000001" || c.Number != next.Number {
		t.Errorf("cancelled = %+v", c)
	}
	v, err := f.billing.Invoice(next.ID)
	must(t, err)
	if v.Account.Status != core.InvoiceCancelled || v.Account.Balance.Minor != 0 {
		t.Errorf("cancelled account = %+v", v.Account)
	}
	if _, err := f.desk.CancelInvoice(draft.ID, "x"); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception cancelled an invoice: %v", err)
	}
	f.reopen(t)
	if got := f.issuedAgain(t); got != fmt.Sprintf("%s-%06d", series, 5) {
		t.Errorf("after reopening the next number is %q", got)
	}
}

// issuedAgain logs billing in again (after a reopen) and issues one more.
func (f *billingFixture) issuedAgain(t *testing.T) string {
	t.Helper()
	b, err := f.db.Login("billing", "billing-pass")
	must(t, err)
	f.billing = b
	return f.issued(t, 1).Number
}

func TestPaymentsRefundsAndBalance(t *testing.T) {
	f := newBillingFixture(t)
	inv := f.issued(t, 2) // 2 × 45.00 at 19% = 107.10
	v, err := f.billing.Invoice(inv.ID)
	must(t, err)
	if v.Account.Total != eur(10710) || v.Account.Status != core.InvoiceIssued {
		t.Fatalf("account = %+v", v.Account)
	}
	if _, err := f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(5000), Method: core.PaymentCard}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("card payment without a slip: %v", err)
	}
	p1, err := f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(5000), Method: core.PaymentCard, Reference: "slip 1"})
	must(t, err)
	if p1.ReceivedBy != "billing" || p1.Desk != f.db.DeviceID() || p1.PatientID != f.patient.ID {
		t.Errorf("payment = %+v", p1)
	}
	if _, err := f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(5711), Method: core.PaymentCash}); !errors.Is(err, core.ErrOverpaid) {
		t.Errorf("overpaying at the desk: %v", err)
	}
	if _, err := f.billing.CancelInvoice(inv.ID, "wrong"); !errors.Is(err, ErrHasPayments) {
		t.Errorf("cancelled an invoice holding money: %v", err)
	}
	v, _ = f.billing.Invoice(inv.ID)
	if v.Account.Status != core.InvoicePartiallyPaid || v.Account.Balance != eur(5710) {
		t.Errorf("after part payment: %+v", v.Account)
	}
	p2, err := f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(5710), Method: core.PaymentCash})
	must(t, err)
	v, _ = f.billing.Invoice(inv.ID)
	if v.Account.Status != core.InvoicePaid || v.Account.Balance.Minor != 0 || len(v.Payments) != 2 {
		t.Errorf("after paying the rest: %+v", v.Account)
	}
	// Refunds: negative, append-only, never more than the payment holds.
	if _, err := f.billing.Refund(p2.ID, eur(5711), "overcharged"); !errors.Is(err, ErrRefund) {
		t.Errorf("refund above the payment: %v", err)
	}
	if _, err := f.billing.Refund(p2.ID, eur(100), ""); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("refund without a reason: %v", err)
	}
	r, err := f.billing.Refund(p2.ID, eur(710), "dressing not used")
	must(t, err)
	if r.Amount != eur(-710) || r.RefundOf != p2.ID || r.Method != core.PaymentCash {
		t.Errorf("refund = %+v", r)
	}
	if _, err := f.billing.Refund(r.ID, eur(1), "again"); !errors.Is(err, ErrRefund) {
		t.Errorf("refund of a refund: %v", err)
	}
	if _, err := f.billing.Refund(p2.ID, eur(5001), "too much"); !errors.Is(err, ErrRefund) {
		t.Errorf("refunds above what is left: %v", err)
	}
	if err := f.billing.Save(&p1); !errors.Is(err, ErrAppendOnly) && !errors.Is(err, core.ErrDenied) {
		t.Errorf("edited a payment: %v", err)
	}
	v, _ = f.billing.Invoice(inv.ID)
	if v.Account.Status != core.InvoicePartiallyPaid || v.Account.Balance != eur(710) || len(v.Payments) != 3 {
		t.Errorf("after refund: %+v", v.Account)
	}
	// The patient's account adds up every invoice.
	other := f.issued(t, 1) // 53.55
	acct, err := f.billing.Account(f.patient.ID)
	must(t, err)
	if len(acct.Invoices) != 2 || acct.Balance != eur(710+5355) {
		t.Errorf("patient account = %d invoices, balance %v", len(acct.Invoices), acct.Balance)
	}
	unpaid, err := f.billing.Invoices(core.InvoiceFilter{Unpaid: true})
	must(t, err)
	if len(unpaid) != 2 {
		t.Errorf("%d unpaid, want 2", len(unpaid))
	}
	if _, err := f.doctor.Pay(core.Payment{InvoiceID: other.ID, Amount: eur(1), Method: core.PaymentCash}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("a doctor took money: %v", err)
	}
	if _, err := f.desk.CreateInvoice(core.Invoice{PatientID: f.patient.ID}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception created an invoice: %v", err)
	}
	// Day end: by desk, user and method.
	day := core.DateOf(f.clock.t, f.db.Zone())
	cu, err := f.billing.DayEnd(day)
	must(t, err)
	if cu.Total != eur(5000+5710-710) || cu.ByMethod[core.PaymentCash] != eur(5000) || len(cu.Lines) != 2 {
		t.Errorf("day end = %+v", cu)
	}
	// Ageing: 45 days later both are 31-60.
	age, err := f.billing.Ageing(day.AddDays(45))
	must(t, err)
	if len(age) != 2 || age[0].Band != core.Age31to60 || age[0].Days != 45 {
		t.Errorf("ageing = %+v", age)
	}
}

func TestInvoiceFromCompletedVisit(t *testing.T) {
	f := newBillingFixture(t)
	a, err := f.desk.Book(core.Appointment{PatientID: f.patient.ID, Doctor: "drwho", Start: at(t, "2026-11-26 10:00"), Minutes: 15})
	must(t, err)
	fee, _ := f.billing.Fee("CONS")
	if _, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, AppointmentID: a.ID, Items: []core.InvoiceItem{fee.Item(1)}}); !errors.Is(err, ErrNotCompleted) {
		t.Fatalf("invoiced a booked visit: %v", err)
	}
	f.clock.t = at(t, "2026-11-26 10:20")
	for _, st := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted} {
		_, err := f.doctor.SetStatus(a.ID, st, "")
		must(t, err)
	}
	other := f.patient
	other.ID = f.fixture.patient(t, "Bob Jones", "1970-01-01", "").ID
	if _, err := f.billing.CreateInvoice(core.Invoice{PatientID: other.ID, AppointmentID: a.ID, Items: []core.InvoiceItem{fee.Item(1)}}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("invoiced someone else's visit: %v", err)
	}
	inv, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, AppointmentID: a.ID, Items: []core.InvoiceItem{fee.Item(1)}})
	must(t, err)
	if inv.AppointmentID != a.ID {
		t.Errorf("invoice = %+v", inv)
	}
}

func TestBillingTextIsValidated(t *testing.T) {
	f := newBillingFixture(t)
	inv := f.issued(t, 1)
	if _, err := f.billing.Pay(core.Payment{InvoiceID: inv.ID, Amount: eur(100), Method: core.PaymentCard, Reference: "slip\x1b[2J"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("escape sequence in a reference: %v", err)
	}
	if _, err := f.billing.SetFee(core.Fee{Code: "X1", Description: "evil\u202e", Price: eur(1)}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("bidi override in a fee: %v", err)
	}
	if _, err := f.billing.CancelInvoice(inv.ID, strings.Repeat("x", 501)); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("long reason: %v", err)
	}
}
