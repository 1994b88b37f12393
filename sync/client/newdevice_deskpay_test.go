package client_test

import (
	"path/filepath"
	"testing"

	"medisecure/core"
	"medisecure/store"
)

// Issue 8, defect 6, with issue 9's write-only desk payments: a desk where
// only reception is logged in takes a payment, and its store is copied
// before it syncs (a cloned laptop). The copy becomes a device of its own
// with the payment still pending, which its process cannot open; both
// stores then sync, and the billing workstation, the copy and the
// original each end with that one payment on the invoice, once.
func TestCopiedDeskBecomesANewDeviceWithAWriteOnlyPaymentPending(t *testing.T) {
	srv := startServer(t)
	var (
		invoice, patient core.ID
		number           string
	)
	wss := newOrgWith(t, 2, func(db *store.DB, admin *store.Session) {
		must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, deskPass))
		must(t, admin.AddUser(core.User{Name: "billing", Role: core.RoleBilling}, billingPass))
		b, err := db.Login("billing", billingPass)
		must(t, err)
		desk, err := db.Login("desk", deskPass)
		must(t, err)
		p, err := desk.AddPatient(core.Patient{Name: "Ann Example", DOB: "1970-05-05"})
		must(t, err)
		line := core.InvoiceItem{Description: "Consultation", Quantity: 1, UnitPrice: core.Money{Minor: 4711, Currency: "EUR"}}
		inv, err := b.CreateInvoice(core.Invoice{PatientID: p.ID, Items: []core.InvoiceItem{line}})
		must(t, err)
		inv, err = b.IssueInvoice(inv.ID)
		must(t, err)
		invoice, number, patient = inv.ID, inv.Number, p.ID
	})
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	deskAlone(t, a)
	_, err := a.desk.Pay(core.Payment{PatientID: patient, InvoiceNumber: number, Amount: core.Money{Minor: 1357, Currency: "EUR"}, Method: core.PaymentCash})
	must(t, err)

	a.close()
	clone := &workstation{t: t, name: "clone", path: filepath.Join(t.TempDir(), "clone.db"), clock: &testClock{t: a.clock.now()}}
	copyFile(t, a.path, clone.path)
	deskAlone(t, a)
	db, err := store.Open(clone.path, store.Options{Now: clone.clock.now, KDF: testKDF})
	must(t, err)
	clone.db = db
	t.Cleanup(clone.close)
	clone.admin, err = db.Login("admin", adminPass)
	must(t, err)
	pending := clone.state().Pending
	must(t, clone.admin.NewDeviceIdentity())
	if got := clone.state().Pending; got != pending || got == 0 {
		t.Fatalf("a new identity left %d changes pending, had %d", got, pending)
	}
	clone.connect(srv.addr, fastOptions(srv.addr))
	all := []*workstation{a, b, clone}
	converge(t, all)

	paidOnce := func(where string, db *store.DB) {
		t.Helper()
		bill, err := db.Login("billing", billingPass)
		must(t, err)
		v, err := bill.Invoice(invoice)
		must(t, err)
		if len(v.Payments) != 1 || v.Payments[0].Amount.Minor != 1357 || v.Account.Balance.Minor != 4711-1357 {
			t.Errorf("on %s the invoice has %d payments, account %+v", where, len(v.Payments), v.Account)
		}
	}
	paidOnce("the billing workstation", b.db)
	paidOnce("the copy", clone.db)
	paidOnce("the original desk", a.db)
	for _, w := range all {
		w.admin, err = w.db.Login("admin", adminPass)
		must(t, err)
	}
	sameExports(t, all)
}
