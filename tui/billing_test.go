package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"medisecure/core"
	"medisecure/tui/ui"
)

// billingScreens bring up each billing screen with the fake clinic's
// invoices: billing (bea) at home, in an account, taking a payment,
// refunding and at day end, and reception taking payment from the
// schedule on Zoë's completed visit.
var billingScreens = []struct {
	name  string
	steps func(h *harness)
}{
	{"billing_worklist", func(h *harness) { h.login("bea") }},
	{"billing_account", func(h *harness) { h.login("bea"); h.keys("j j enter") }},
	{"billing_pay", func(h *harness) { h.login("bea"); h.keys("j $") }},
	{"billing_refund", func(h *harness) { h.login("bea"); h.keys("f") }},
	{"billing_dayend", func(h *harness) { h.login("bea"); h.keys("D") }},
	{"schedule_pay", func(h *harness) { h.login("ana"); h.keys("l k $") }},
	{"billing_claims", func(h *harness) { h.login("bea"); h.keys("c") }},
	{"billing_new_invoice", func(h *harness) { h.login("bea"); h.keys("j j enter n + j + +") }},
	{"billing_claim_reject", func(h *harness) { h.login("bea"); h.keys("c j x"); h.typ("member unknown") }},
}

// TestBillingGolden compares the billing screens at 80x24 and 120x40 with
// their golden files (go test ./tui -run TestBillingGolden -update).
func TestBillingGolden(t *testing.T) {
	for _, sc := range billingScreens {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				h := newHarness(t, sz[0], sz[1])
				seedBilling(h.b)
				sc.steps(h)
				v := h.view()
				checkSize(t, v, sz[0], sz[1])
				checkHelpLine(t, h)
				if strings.Contains(v, "\x1b[") {
					t.Error("escape sequences in an ASCII view")
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// billingSized are the billing screens for TestEverySize.
func billingSized() []struct {
	name  string
	login bool
	steps func(h *harness)
} {
	var out []struct {
		name  string
		login bool
		steps func(h *harness)
	}
	for _, sc := range billingScreens {
		out = append(out, struct {
			name  string
			login bool
			steps func(h *harness)
		}{sc.name, false, func(h *harness) { seedBilling(h.b); sc.steps(h) }})
	}
	return out
}

// Billing logs in to the worklist, not a schedule it cannot use: the
// invoice paid twice over comes first, then the unpaid ones, oldest first.
func TestBillingHomeIsTheWorklist(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.mustSee("Unpaid invoices (3)", "paid twice over", "1F00A9B2C3D4E5F6-000002", "Anna Schmidt", "王小明")
	v := h.view()
	if strings.Index(v, "-000004") > strings.Index(v, "-000011") {
		t.Errorf("the oldest unpaid invoice is not first:\n%s", v)
	}
}

// Reception takes payment from the schedule with one key on a completed
// visit: the desk reads no invoice (issue 9), so the form shows neither
// the invoice nor what is owed, only the patient; enter takes what was
// typed, and billing finds it on the visit's invoice.
func TestReceptionTakesPaymentFromSchedule(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("ana")
	h.keys("l $")
	h.mustSee("Take payment once the visit is completed")
	h.keys("k $")
	h.mustSee("Zoë Ärzteweg", "payment at the desk", "the desk sees no balance", "Invoice no.")
	h.mustNotSee("8CB3E2CF29CFC7E8-000011", "53.55", "owed")
	h.typ("53.55")
	h.keys("enter")
	h.mustSee("Payment taken: 53.55 EUR cash", "Receipt", "Sealed to billing")
	h.keys("enter")
	h.mustSee("Took 53.55 EUR cash from Zoë Ärzteweg.")
	v, err := (&fakeSession{b: h.b, p: core.Principal{User: "bea", Role: core.RoleBilling}}).Invoice(fakeID(701))
	if err != nil || v.Account.Status != core.InvoicePaid {
		t.Fatalf("after the payment the invoice is %+v, %v", v.Account, err)
	}
}

// A card payment needs its slip; more than is owed is refused with the
// store's sentence and nothing is taken.
func TestPaymentRefusals(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.keys("j $ tab right enter")
	h.mustSee("reference is required for a card payment")
	h.keys("left shift+tab ctrl+u")
	h.typ("999")
	h.keys("enter")
	h.mustSee("more than the")
	h.keys("ctrl+u")
	h.typ("12.345")
	h.keys("enter")
	h.mustSee("Amount:")
	if n := len(h.b.bill.payments); n != 5 {
		t.Errorf("%d payments after three refusals, want the 5 there were", n)
	}
}

// The invoice paid twice over is resolved by refunding the excess: the
// refund form picks a payment, is prefilled with what it holds, needs a
// reason, and afterwards the worklist no longer shows the conflict.
func TestRefundResolvesPaidTwiceOver(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.keys("f")
	h.mustSee("Refund", "[53.55")
	h.keys("tab tab")
	h.typ("card charged as well")
	h.keys("enter")
	h.mustSee("Refund given: -53.55 EUR cash")
	h.keys("esc")
	h.mustSee("Refunded 53.55 EUR to Anna Schmidt.")
	h.mustNotSee("paid twice over")
	last := h.b.bill.payments[len(h.b.bill.payments)-1]
	if last.RefundOf != fakeID(802) || last.Reason != "card charged as well" {
		t.Errorf("refund = %+v", last)
	}
}

// Reception may take payments but sees no refund or worklist keys in the
// schedule's help, and a doctor is offered no payment at all.
func TestPaymentOfferedByRole(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("ana")
	h.keys("?")
	h.mustSee("take payment")
	d := newHarness(t, 120, 40)
	seedBilling(d.b)
	d.login("okafor")
	d.keys("?")
	d.mustNotSee("take payment")
}

// Claims get their answers by one key each: a rejection needs its reason,
// and "insurer paid" posts the insurer's payment to the invoice.
func TestClaimsWorklist(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	h.login("bea")
	h.keys("c")
	h.mustSee("Insurance claims (3)", "1 draft", "2 submitted")
	h.keys("p")
	h.mustSee("cannot go from draft to paid")
	h.keys("j x enter")
	h.mustSee("Say why the insurer rejected it.")
	h.typ("member unknown")
	h.keys("enter")
	h.mustSee("is rejected", "rejected: member unknown")
	h.keys("j j a")
	h.mustSee("is accepted")
	before := len(h.b.bill.payments)
	h.keys("p")
	h.mustSee("is paid")
	if got := h.b.bill.payments[len(h.b.bill.payments)-1]; len(h.b.bill.payments) != before+1 || got.Method != core.PaymentInsurance || got.ClaimID == "" {
		t.Errorf("the insurer's payment was not posted: %+v", got)
	}
	r := newHarness(t, 120, 40)
	seedBilling(r.b)
	r.login("ana")
	if _, err := r.m.sess.Claims(""); err == nil {
		t.Error("reception read claims")
	}
}

// A payment the desk took for an invoice billing does not hold yet shows
// on the patient's account as credit, on no invoice.
func TestAccountListsDeskPaymentOnNoInvoice(t *testing.T) {
	h := newHarness(t, 120, 40)
	seedBilling(h.b)
	desk := &fakeSession{b: h.b, p: core.Principal{User: "ana", Role: core.RoleReception}}
	if _, err := desk.Pay(core.Payment{PatientID: fakeID(1), InvoiceNumber: "ELSEWHERE-000009", Amount: core.Money{Minor: 1250, Currency: "EUR"}, Method: core.PaymentCash}); err != nil {
		t.Fatal(err)
	}
	h.login("bea")
	h.m.c.Go(ui.Route{Nav: ui.NavPush, Page: ui.PageAccount, PatientID: fakeID(1)})
	h.send(h.m.navigate())
	h.mustSee("taken at the desk, on no invoice yet:", "12.50 EUR")
}
