package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// deskOnly closes the fixture's process and opens the store again with
// only the receptionist logged in: a desk workstation holds no billing key.
func deskOnly(t *testing.T, f *fixture) {
	t.Helper()
	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	f.db = db
	f.desk, err = db.Login("desk", "desk-pass")
	must(t, err)
	if db.keys.classes.get(sealBilling) != nil {
		t.Fatal("a reception login opened the billing key")
	}
}

// At a desk where only reception is logged in, reception reads no invoice,
// payment or cash-up, yet takes a payment naming the invoice's number: it
// is written sealed to billing, not readable by reception at rest, and
// merged at the next billing login, where it counts on the invoice.
func TestDeskPaymentIsWriteOnly(t *testing.T) {
	f, number := clinicWithSecrets(t)
	var patient, invoice core.ID
	bill, err := f.db.Login("bill", "billing-pass")
	must(t, err)
	vs, err := bill.Invoices(core.InvoiceFilter{})
	must(t, err)
	if len(vs) != 1 || vs[0].Account.Paid.Minor != 2468 {
		t.Fatalf("billing sees %+v, want one invoice with the desk's 24.68 on it", vs)
	}
	patient, invoice = vs[0].Invoice.PatientID, vs[0].Invoice.ID

	deskOnly(t, f)
	denied := map[string]error{}
	_, denied["list invoices"] = f.desk.Invoices(core.InvoiceFilter{})
	_, denied["read an invoice"] = f.desk.Invoice(invoice)
	_, denied["read an account"] = f.desk.Account(patient)
	_, denied["list payments"] = f.desk.Payments("")
	_, denied["cash up"] = f.desk.DayEnd(core.DateOf(f.clock.now(), f.db.Zone()))
	_, denied["list claims"] = f.desk.Claims("")
	for what, err := range denied {
		if !errors.Is(err, core.ErrDenied) {
			t.Errorf("reception may %s: %v", what, err)
		}
	}
	if _, err := f.desk.Pay(core.Payment{InvoiceID: invoice, Amount: core.Money{Minor: 100}, Method: core.PaymentCash}); !errors.Is(err, core.ErrDenied) {
		t.Errorf("a desk payment naming the invoice by ID: %v", err)
	}
	if _, err := f.desk.Pay(core.Payment{PatientID: patient, Amount: core.Money{Minor: 100}, Method: core.PaymentCash}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("a desk payment naming neither number nor visit: %v", err)
	}
	p, err := f.desk.Pay(core.Payment{PatientID: patient, InvoiceNumber: number, Amount: core.Money{Minor: 1357}, Method: core.PaymentCard, Reference: "slip 77"})
	must(t, err)
	if p.ID == "" || p.ReceivedBy != "desk" || p.Desk != f.db.DeviceID() {
		t.Fatalf("desk payment = %+v", p)
	}
	if _, err := f.desk.Payment(p.ID); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception reads back its payment: %v", err)
	}
	if got := revealed(unsealAll(t, f, "desk", "desk-pass"), append(billingSecrets, "1357", "slip 77")...); len(got) != 0 {
		t.Errorf("after the desk's payment a reception login reveals %v", got)
	}

	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	f.db = db
	bill, err = db.Login("bill", "billing-pass")
	must(t, err)
	v, err := bill.Invoice(invoice)
	must(t, err)
	if len(v.Payments) != 2 || v.Account.Paid.Minor != 2468+1357 || v.Account.Balance.Minor != 4711-2468-1357 {
		t.Fatalf("after billing's login the invoice has %d payments, account %+v", len(v.Payments), v.Account)
	}
	day, err := bill.DayEnd(core.DateOf(f.clock.now(), db.Zone()))
	must(t, err)
	if day.Total.Minor != 2468+1357 {
		t.Errorf("the cash-up counts %v", day.Total)
	}
	if _, err := bill.Refund(p.ID, core.Money{Minor: 357}, "charged too much at the desk"); err != nil {
		t.Errorf("billing refunds part of the desk's payment: %v", err)
	}
	if v, _ = bill.Invoice(invoice); v.Account.Balance.Minor != 4711-2468-1000 {
		t.Errorf("after the refund the invoice owes %v", v.Account.Balance)
	}
}

// A desk payment names the visit it pays for (the schedule's $ on a
// completed visit): billing finds it on the visit's issued invoice. Until
// the visit is invoiced it is the patient's credit on their account, and
// more than is owed, taken at the desk, is the "paid twice over" conflict
// billing settles.
func TestDeskPaymentForAVisit(t *testing.T) {
	f := newBillingFixture(t)
	a, err := f.desk.Book(core.Appointment{PatientID: f.patient.ID, Doctor: "drwho", Start: at(t, "2026-11-26 10:00"), Minutes: 15})
	must(t, err)
	f.clock.t = at(t, "2026-11-26 10:20")
	for _, st := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted} {
		_, err := f.doctor.SetStatus(a.ID, st, "")
		must(t, err)
	}
	other := f.fixture.patient(t, "Bob Jones", "1970-01-01", "")
	if _, err := f.desk.Pay(core.Payment{PatientID: other.ID, AppointmentID: a.ID, Amount: eur(100), Method: core.PaymentCash}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("a desk payment for another patient's visit: %v", err)
	}
	p, err := f.desk.Pay(core.Payment{PatientID: f.patient.ID, AppointmentID: a.ID, Amount: eur(3000), Method: core.PaymentCash})
	must(t, err)
	acct, err := f.billing.Account(f.patient.ID)
	must(t, err)
	if len(acct.AtDesk) != 1 || acct.AtDesk[0].ID != p.ID || acct.Balance != eur(-3000) {
		t.Fatalf("before the invoice the account is %+v", acct)
	}
	fee, _ := f.billing.Fee("CONS")
	inv, err := f.billing.CreateInvoice(core.Invoice{PatientID: f.patient.ID, AppointmentID: a.ID, Items: []core.InvoiceItem{fee.Item(1)}})
	must(t, err)
	if _, err := f.billing.IssueInvoice(inv.ID); err != nil {
		t.Fatal(err)
	}
	v, err := f.billing.Invoice(inv.ID)
	must(t, err)
	if len(v.Payments) != 1 || v.Payments[0].ID != p.ID || v.Account.Balance != eur(5355-3000) {
		t.Fatalf("the visit's invoice: %d payments, account %+v", len(v.Payments), v.Account)
	}
	if acct, _ = f.billing.Account(f.patient.ID); len(acct.AtDesk) != 0 || acct.Balance != eur(5355-3000) {
		t.Errorf("after the invoice the account is %+v", acct)
	}
	if _, err := f.desk.Pay(core.Payment{PatientID: f.patient.ID, AppointmentID: a.ID, Amount: eur(5000), Method: core.PaymentCash}); err != nil {
		t.Fatalf("the desk cannot know the balance, so it does not refuse: %v", err)
	}
	cs, err := f.billing.InvoiceConflicts()
	must(t, err)
	if len(cs) != 1 || cs[0].Invoice != inv.ID || len(cs[0].Payments) != 2 {
		t.Errorf("conflicts after the desk took too much: %+v", cs)
	}
}

// A store made by main at schema 10 sealed a copy of its billing key to
// the receptionist; migration 11 withdraws it at Open, before anyone logs
// in, so the receptionist's passphrase no longer opens it.
func TestUpgradeWithdrawsReceptionsBillingKey(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(10))
	must(t, err)
	path := filepath.Join(t.TempDir(), "clinic.db")
	must(t, os.WriteFile(path, raw, 0o600))
	held := func() bool {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		must(t, err)
		defer db.Close()
		found := false
		must(t, db.View(func(tx *bolt.Tx) error {
			found = tx.Bucket(bucketClassKeys).Get(metaClassUser(sealBilling, "desk")) != nil
			return nil
		}))
		return found
	}
	if !held() {
		t.Fatal("the schema 10 fixture holds no billing key for the receptionist: the test proves nothing")
	}
	clk := &testClock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
	must(t, err)
	must(t, db.Close())
	if held() {
		t.Error("after the upgrade the store still holds the billing key sealed to the receptionist")
	}
	db, err = Open(path, Options{Now: clk.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	if _, err := db.Login("desk", "desk-pass"); err != nil {
		t.Fatalf("the receptionist cannot log in after the upgrade: %v", err)
	}
	if db.keys.classes.get(sealBilling) != nil {
		t.Error("a reception login opened the billing key after the upgrade")
	}
}
