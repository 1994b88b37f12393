package storetest

import (
	"errors"
	"testing"

	"medisecure/core"
)

// eur is an amount of euro cents.
func eur(minor int64) core.Money { return core.Money{Minor: minor, Currency: "EUR"} }

// invoiced is a clinic with a patient owing 50.00 on one issued invoice.
func (c *clinic) invoiced(t *testing.T) (core.Patient, core.ID) {
	t.Helper()
	c.need(t, "patients", "billing")
	p := c.patient(t, "Cy Owing", "1966-07-08")
	return p, c.NewInvoice(t, p.ID, 5000)
}

// balance is what an invoice still owes.
func (c *clinic) balance(t *testing.T, id core.ID) int64 {
	t.Helper()
	v, err := c.Billing.Invoice(id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Account.Balance.Minor
}

func testPay(t *testing.T, c *clinic) {
	p, inv := c.invoiced(t)
	if c.balance(t, inv) != 5000 {
		t.Fatalf("a new invoice owes %d", c.balance(t, inv))
	}
	_, err := c.Billing.Pay(core.Payment{InvoiceID: inv, Amount: eur(1000), Method: core.PaymentCard})
	field(t, err, "reference")
	_, err = c.Billing.Pay(core.Payment{InvoiceID: inv, Amount: eur(0), Method: core.PaymentCash})
	field(t, err, "amount")
	if _, err := c.Billing.Pay(core.Payment{InvoiceID: inv, Amount: eur(6000), Method: core.PaymentCash}); !errors.Is(err, core.ErrOverpaid) {
		t.Errorf("paying 60.00 of 50.00: %v, want core.ErrOverpaid", err)
	}
	pay, err := c.Billing.Pay(core.Payment{InvoiceID: inv, Amount: eur(2000), Method: core.PaymentCash})
	if err != nil || pay.ID == "" || pay.PatientID != p.ID {
		t.Fatalf("pay 20.00: %+v, %v", pay, err)
	}
	if b := c.balance(t, inv); b != 3000 {
		t.Errorf("after 20.00 paid the invoice owes %d, want 3000", b)
	}
	acc, err := c.Billing.Account(p.ID)
	if err != nil || acc.Balance.Minor != 3000 {
		t.Errorf("the patient's account: %+v, %v", acc.Balance, err)
	}
	day, err := c.Billing.DayEnd(core.DateOf(c.clock.Now(), c.Zone))
	if err != nil || day.Total.Minor != 2000 {
		t.Errorf("the day's cash-up: %+v, %v", day.Total, err)
	}
}

func testRefund(t *testing.T, c *clinic) {
	_, inv := c.invoiced(t)
	pay, err := c.Billing.Pay(core.Payment{InvoiceID: inv, Amount: eur(2000), Method: core.PaymentCash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Billing.Refund(pay.ID, eur(0), "none"); err == nil {
		t.Error("a refund of nothing was taken")
	}
	if _, err := c.Billing.Refund(pay.ID, eur(2500), "too much"); err == nil {
		t.Error("a refund of more than the payment was taken")
	}
	r, err := c.Billing.Refund(pay.ID, eur(500), "overcharged")
	if err != nil || r.Amount.Minor != -500 || r.RefundOf != pay.ID {
		t.Fatalf("refund 5.00: %+v, %v", r, err)
	}
	if _, err := c.Billing.Refund(pay.ID, eur(1600), "again"); err == nil {
		t.Error("refunds of more than the payment held were taken")
	}
	if _, err := c.Billing.Refund(r.ID, eur(100), "refund of a refund"); err == nil {
		t.Error("a refund was refunded")
	}
	if b := c.balance(t, inv); b != 3500 {
		t.Errorf("after 20.00 paid and 5.00 refunded the invoice owes %d, want 3500", b)
	}
	day, err := c.Billing.DayEnd(core.DateOf(c.clock.Now(), c.Zone))
	if err != nil || day.Total.Minor != 1500 {
		t.Errorf("the day's cash-up: %+v, %v", day.Total, err)
	}
}

// testDeskPayment: the desk reads no invoice (issue 9) yet takes money: a
// payment naming the patient and the invoice's number counts on the
// invoice for billing. The desk cannot know the balance, so more than is
// owed is taken, and billing sees the invoice paid over.
func testDeskPayment(t *testing.T, c *clinic) {
	c.need(t, "desk billing")
	p, inv := c.invoiced(t)
	v, err := c.Billing.Invoice(inv)
	if err != nil {
		t.Fatal(err)
	}
	number := v.Invoice.Number
	if _, err := c.DeskBilling.Invoice(inv); !errors.Is(err, core.ErrDenied) {
		t.Errorf("the desk reads an invoice: %v", err)
	}
	if _, err := c.DeskBilling.Account(p.ID); !errors.Is(err, core.ErrDenied) {
		t.Errorf("the desk reads an account: %v", err)
	}
	if _, err := c.DeskBilling.DayEnd(core.DateOf(c.clock.Now(), c.Zone)); !errors.Is(err, core.ErrDenied) {
		t.Errorf("the desk reads the cash-up: %v", err)
	}
	if _, err := c.DeskBilling.Pay(core.Payment{InvoiceID: inv, Amount: eur(1000), Method: core.PaymentCash}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("the desk names an invoice by ID: %v", err)
	}
	_, err = c.DeskBilling.Pay(core.Payment{PatientID: p.ID, Amount: eur(1000), Method: core.PaymentCash})
	field(t, err, "invoice")
	_, err = c.DeskBilling.Pay(core.Payment{PatientID: p.ID, InvoiceNumber: number, Amount: eur(1000), Method: core.PaymentCard})
	field(t, err, "reference")
	pay, err := c.DeskBilling.Pay(core.Payment{PatientID: p.ID, InvoiceNumber: number, Amount: eur(1500), Method: core.PaymentCash})
	if err != nil || pay.ID == "" || pay.InvoiceID != "" || pay.PatientID != p.ID {
		t.Fatalf("a desk payment of 15.00: %+v, %v", pay, err)
	}
	if b := c.balance(t, inv); b != 3500 {
		t.Errorf("after 15.00 at the desk the invoice owes %d, want 3500", b)
	}
	if _, err := c.DeskBilling.Pay(core.Payment{PatientID: p.ID, InvoiceNumber: number, Amount: eur(5000), Method: core.PaymentCash}); err != nil {
		t.Fatalf("the desk, which cannot see the balance, refused 50.00: %v", err)
	}
	if b := c.balance(t, inv); b != -1500 {
		t.Errorf("after 65.00 in all the invoice owes %d, want -1500 (paid over)", b)
	}
}
