package client_test

import (
	"strings"
	"testing"

	"medisecure/core"
	"medisecure/store"
)

const billingPass = "billing-pass-1"

// Two desks, offline, each take the whole of one invoice at the desk
// (naming its number: reception reads no invoice). After sync
// through a real server both payments count on both workstations, both
// show the same "paid twice over" conflict, and a refund on one resolves
// it everywhere. Three workstations issuing offline never share a number.
func TestInvoicePaidTwiceOverAcrossWorkstations(t *testing.T) {
	srv := startServer(t)
	var (
		invoice core.ID
		number  string
		patient core.ID
	)
	wss := newOrgWith(t, 3, func(db *store.DB, admin *store.Session) {
		must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, deskPass))
		must(t, admin.AddUser(core.User{Name: "billing", Role: core.RoleBilling}, billingPass))
		b, err := db.Login("billing", billingPass)
		must(t, err)
		desk, err := db.Login("desk", deskPass)
		must(t, err)
		fee, err := b.SetFee(core.Fee{Code: "CONS", Description: "Consultation", Price: core.Money{Minor: 4500}})
		must(t, err)
		p, err := desk.AddPatient(core.Patient{Name: "Ann Example", DOB: "1970-05-05"})
		must(t, err)
		inv, err := b.CreateInvoice(core.Invoice{PatientID: p.ID, Items: []core.InvoiceItem{fee.Item(1)}})
		must(t, err)
		inv, err = b.IssueInvoice(inv.ID)
		must(t, err)
		invoice, number, patient = inv.ID, inv.Number, p.ID
	})
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	pa, err := a.desk.Pay(core.Payment{PatientID: patient, InvoiceNumber: number, Amount: core.Money{Minor: 4500, Currency: "EUR"}, Method: core.PaymentCash})
	must(t, err)
	_, err = b.desk.Pay(core.Payment{PatientID: patient, InvoiceNumber: number, Amount: core.Money{Minor: 4500, Currency: "EUR"}, Method: core.PaymentCard, Reference: "slip 9"})
	must(t, err)
	numbers := map[string]string{}
	bills := map[*workstation]*store.Session{}
	for _, w := range wss {
		bs, err := w.db.Login("billing", billingPass)
		must(t, err)
		bills[w] = bs
		fee, err := bs.Fee("CONS")
		must(t, err)
		v, err := bs.Invoice(invoice)
		must(t, err)
		for range 3 {
			inv, err := bs.CreateInvoice(core.Invoice{PatientID: v.Invoice.PatientID, Items: []core.InvoiceItem{fee.Item(1)}})
			must(t, err)
			inv, err = bs.IssueInvoice(inv.ID)
			must(t, err)
			if other, dup := numbers[inv.Number]; dup {
				t.Fatalf("%s and %s both issued %s", other, w.name, inv.Number)
			}
			numbers[inv.Number] = w.name
		}
	}
	converge(t, wss)
	var conflictID core.ID
	for _, w := range wss {
		v, err := bills[w].Invoice(invoice)
		must(t, err)
		if len(v.Payments) != 2 || v.Account.Paid.Minor != 9000 || v.Account.Balance.Minor != -4500 || v.Account.Status != core.InvoicePaid {
			t.Fatalf("%s: %d payments, account %+v; want both payments counted", w.name, len(v.Payments), v.Account)
		}
		cs, err := w.desk.InvoiceConflicts()
		must(t, err)
		if len(cs) != 1 || cs[0].Invoice != invoice || len(cs[0].Payments) != 2 {
			t.Fatalf("%s: invoice conflicts %+v, want one naming both payments", w.name, cs)
		}
		if conflictID == "" {
			conflictID = cs[0].ID
		} else if cs[0].ID != conflictID {
			t.Fatalf("%s: conflict %s, another workstation has %s", w.name, cs[0].ID, conflictID)
		}
		all, err := bills[w].Invoices(core.InvoiceFilter{})
		must(t, err)
		seen := map[string]bool{}
		for _, v := range all {
			seen[v.Invoice.Number] = true
		}
		if len(all) != 3*3+1 || len(seen) != len(all) {
			t.Fatalf("%s holds %d invoices with %d numbers, want 10 and 10", w.name, len(all), len(seen))
		}
	}
	_, err = bills[a].Refund(pa.ID, core.Money{Minor: 4500, Currency: "EUR"}, "paid at both desks")
	must(t, err)
	converge(t, wss)
	for _, w := range wss {
		cs, err := w.desk.InvoiceConflicts()
		must(t, err)
		v, err := bills[w].Invoice(invoice)
		must(t, err)
		if len(cs) != 0 || v.Account.Balance.Minor != 0 || len(v.Payments) != 3 {
			t.Errorf("%s after the refund: conflicts %v, account %+v", w.name, cs, v.Account)
		}
	}
	if out := sameExports(t, wss); !strings.Contains(out, `"kind":"payment"`) {
		t.Fatal("no payments in the export")
	}
}
