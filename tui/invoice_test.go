package tui

import (
	"strings"
	"testing"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Billing makes an invoice from the TUI: n on a patient's account opens
// the fee schedule, + and - count each service, i creates and issues it,
// and the account shows it with its number; enter with nothing counted
// saves nothing.
func TestBillingCreatesAnInvoice(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.keys("j j enter")
	h.mustSee("new invoice")
	before := len(h.b.bill.invoices)
	h.keys("n")
	h.mustSee("New invoice for", "CONS15", "Consultation, long", "DRESS", "VACC")
	h.keys("enter")
	h.mustSee("Count at least one service with +.")
	h.keys("+ j + + + -")
	h.mustSee("2 lines, total 243.95 EUR") // 45.00 + 2 × 80.00, at 19%
	h.keys("i")
	h.mustSee("Invoice 8CB3E2CF29CFC7E8-", "issued.")
	if len(h.b.bill.invoices) != before+1 {
		t.Fatalf("%d invoices after, %d before", len(h.b.bill.invoices), before)
	}
	inv := h.b.bill.invoices[before]
	if inv.Status != core.InvoiceIssued || len(inv.Items) != 2 || inv.Items[0].Code != "CONS15" || inv.Items[1].Quantity != 2 {
		t.Fatalf("the new invoice is %+v", inv)
	}
	h.mustSee(inv.Number)
}

// Reception reaching a patient's account reads why it may not (invoices
// are billing's, issue 9), is not offered a new invoice, and n does
// nothing there.
func TestReceptionMakesNoInvoice(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("ana")
	h.m.c.Go(ui.Route{Nav: ui.NavPush, Page: ui.PageAccount, PatientID: fakeID(1)})
	h.send(h.m.navigate())
	h.mustSee("Account", "Reception may not read invoice records: invoices are kept by billing")
	h.mustNotSee("new invoice", "8CB3E2CF29CFC7E8-000011", "53.55")
	h.keys("n")
	h.mustNotSee("New invoice for")
}

// An invoice for a completed visit counts the visit fee for its length.
func TestInvoiceForAVisitCountsItsFee(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	visit := h.b.appts[0]
	want := core.SuggestItems(visit, h.b.bill.fees)
	if len(want) != 1 {
		t.Fatalf("the fake's visit of %d minutes suggests %+v", visit.Minutes, want)
	}
	h.m.c.Go(ui.Route{Nav: ui.NavPush, Page: ui.PageInvoice, PatientID: visit.PatientID, Appt: visit.ID})
	h.send(h.m.navigate())
	h.mustSee("For the visit of", "its fee is counted", "1 line, total 53.55 EUR")
	var counted string
	for _, line := range strings.Split(h.view(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "1" && counted == "" {
			counted = f[1]
		}
	}
	if counted != want[0].Code {
		t.Fatalf("counted %q, want %s:\n%s", counted, want[0].Code, h.view())
	}
}

// The invoice paid twice over is settled by moving its credit: m on it
// pays the patient's other open invoice with as much as fits, the
// worklist says so and no longer shows the conflict; with no other
// invoice owing, m says to refund instead and moves nothing.
func TestCreditMovesToAnotherInvoice(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.mustSee("paid twice over", "m moves the credit")
	n := len(h.b.bill.payments)
	h.keys("m")
	h.mustSee("No other invoice of this patient owes anything: refund the excess with f.")
	if len(h.b.bill.payments) != n {
		t.Fatal("credit moved with nowhere to go")
	}
	later := h.b.bill.invoices[3]
	later.ID, later.Number, later.Items = fakeID(799), "1F00A9B2C3D4E5F6-000009", []core.InvoiceItem{{Code: "VACC", Description: "Vaccination", Quantity: 1, UnitPrice: core.Money{Minor: 8000, Currency: "EUR"}}}
	h.b.bill.invoices = append(h.b.bill.invoices, later)
	h.keys("m")
	h.mustSee("Moved 53.55 EUR of credit to invoice 1F00A9B2C3D4E5F6-000009.")
	h.mustNotSee("paid twice over")
	in := h.b.bill.payments[len(h.b.bill.payments)-1]
	if in.InvoiceID != fakeID(799) || in.Method != core.PaymentCredit || in.Amount.Minor != 5355 {
		t.Fatalf("the credit paid %+v", in)
	}
}
