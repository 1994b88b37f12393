package store

import (
	"testing"

	"medisecure/core"
)

// outboxPayments are the payment changes of the store's outbox, as kept.
func outboxPayments(t *testing.T, s *Session) []core.Change {
	t.Helper()
	var out []core.Change
	must(t, s.view(func(t *txn) error {
		all, err := t.outbox(0)
		for _, c := range all {
			if c.Kind == core.KindPayment {
				out = append(out, c)
			}
		}
		return err
	}))
	return out
}

// Issue 8, defect 6, with issue 9's write-only desk payments: a desk
// store (only reception logged in) takes a payment, which its process
// cannot open, and the store is copied. The admin who makes the copy a
// new device holds the billing key, so the payment in the outbox is
// opened, re-stamped under the new device and kept once, sealed under
// the organisation's billing key, and billing reads it once.
func TestNewDeviceCarriesAWriteOnlyDeskPayment(t *testing.T) {
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "bill", Role: core.RoleBilling}, "billing-pass"))
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	bill, err := f.db.Login("bill", "billing-pass")
	must(t, err)
	line := core.InvoiceItem{Description: "Consultation", Quantity: 1, UnitPrice: core.Money{Minor: 4711, Currency: "EUR"}}
	inv, err := bill.CreateInvoice(core.Invoice{PatientID: p.ID, Items: []core.InvoiceItem{line}})
	must(t, err)
	inv, err = bill.IssueInvoice(inv.ID)
	must(t, err)
	deskOnly(t, f)
	pay, err := f.desk.Pay(core.Payment{PatientID: p.ID, InvoiceNumber: inv.Number, Amount: core.Money{Minor: 1357}, Method: core.PaymentCash})
	must(t, err)
	before := outboxPayments(t, f.desk)
	if len(before) != 1 || before[0].ID != pay.ID {
		t.Fatalf("the desk's outbox holds %d payments", len(before))
	}
	if sf, err := sealedOf(&before[0]); err != nil || sf.form != formWrite {
		t.Fatalf("the desk payment waits in the outbox in form %q (%v), want the write-only form", sf.form, err)
	}
	old := f.db.DeviceID()

	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	f.db = db
	f.admin, err = db.Login("admin", "admin-pass")
	must(t, err)
	must(t, f.admin.NewDeviceIdentity())
	after := outboxPayments(t, f.admin)
	if len(after) != 1 || after[0].ID != pay.ID || after[0].Device == old || after[0].Device != db.DeviceID() {
		t.Fatalf("after a new identity the outbox holds %d payments (%+v), want the one under device %s", len(after), after, db.DeviceID())
	}
	if sf, err := sealedOf(&after[0]); err != nil || !sf.travels() {
		t.Fatalf("the re-stamped payment is kept in form %q (%v), not one that travels", sf.form, err)
	}
	bill, err = db.Login("bill", "billing-pass")
	must(t, err)
	v, err := bill.Invoice(inv.ID)
	must(t, err)
	if len(v.Payments) != 1 || v.Payments[0].ID != pay.ID || v.Account.Balance.Minor != 4711-1357 {
		t.Fatalf("billing sees %d payments on the invoice, account %+v", len(v.Payments), v.Account)
	}
}
