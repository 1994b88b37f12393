package client_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"medisecure/core"
	"medisecure/store"
)

// What a reception login must not read of billing, in the server's file or
// a desk's store: an invoice line's price and description, and what the
// desk took.
var billingSecrets = []string{"4711", "wound care after the dog bite", "1357", "slip 77"}

// deskAlone restarts a workstation with only the receptionist logged in,
// syncing as them: a desk that holds no billing key.
func deskAlone(t *testing.T, w *workstation) {
	t.Helper()
	addr, opts := w.addr, w.opts
	w.close()
	db, err := store.Open(w.path, store.Options{Now: w.clock.now, KDF: testKDF})
	must(t, err)
	w.db = db
	w.desk, err = db.Login("desk", deskPass)
	must(t, err)
	w.admin = w.desk
	w.connect(addr, opts)
}

// Issue 9, "a reception passphrase reveals no invoice line": on a desk
// where only reception is logged in, reception cannot list invoices, yet
// takes a payment naming the invoice's number. It syncs sealed to billing's
// write-only key: a billing workstation merges it onto the invoice, the
// desk's own store merges it at its next billing login, and with every key
// a reception login holds, no batch in the server's file shows the
// invoice's price, its line, or what the desk took.
func TestDeskPaymentMergesOnABillingWorkstation(t *testing.T) {
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
		_, err = b.SetFee(core.Fee{Code: "CONS", Description: "Consultation", Price: core.Money{Minor: 3000}})
		must(t, err)
		p, err := desk.AddPatient(core.Patient{Name: "Ann Example", DOB: "1970-05-05"})
		must(t, err)
		line := core.InvoiceItem{Description: billingSecrets[1], Quantity: 1, UnitPrice: core.Money{Minor: 4711, Currency: "EUR"}}
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
	if _, err := a.desk.Invoices(core.InvoiceFilter{}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception lists invoices: %v", err)
	}
	p, err := a.desk.Pay(core.Payment{PatientID: patient, InvoiceNumber: number, Amount: core.Money{Minor: 1357, Currency: "EUR"}, Method: core.PaymentCard, Reference: billingSecrets[3]})
	must(t, err)
	a.sync()
	b.sync()
	bill, err := b.db.Login("billing", billingPass)
	must(t, err)
	v, err := bill.Invoice(invoice)
	must(t, err)
	if len(v.Payments) != 1 || v.Payments[0].ID != p.ID || v.Account.Balance.Minor != 4711-1357 {
		t.Fatalf("on the billing workstation the invoice has %d payments, account %+v", len(v.Payments), v.Account)
	}

	devs, err := b.client.Devices(context.Background())
	must(t, err)
	pubs := map[string]ed25519.PublicKey{}
	for _, d := range devs {
		pubs[d.ID] = d.PublicKey
	}
	keys := func(epoch uint32) ([]byte, bool) {
		k, err := a.desk.OrgKey(int(epoch))
		return k, err == nil
	}
	srv.halt()
	opened, kinds := serverChanges(t, srv.path, keys, pubs, a.desk, billingSecrets)
	if opened == 0 || kinds[core.KindPayment] == 0 || kinds[core.KindInvoice] == 0 {
		t.Fatalf("the reception keys opened %d batches holding %v: the test proves nothing", opened, kinds)
	}

	deskBill, err := a.db.Login("billing", billingPass)
	must(t, err)
	if v, err = deskBill.Invoice(invoice); err != nil || len(v.Payments) != 1 || v.Account.Balance.Minor != 4711-1357 {
		t.Errorf("on the desk, after billing's login, the invoice has %d payments, account %+v (%v)", len(v.Payments), v.Account, err)
	}
}
