package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"medisecure/core"
)

// exchange delivers every change each desk ever wrote to every other desk,
// in any order, some twice.
func exchange(t *rapid.T, desks ...*desk) {
	outs := make([][]core.Change, len(desks))
	for i, d := range desks {
		outs[i] = d.outbox(t, 0)
	}
	for i, d := range desks {
		var theirs []core.Change
		for j, o := range outs {
			if j != i {
				theirs = append(theirs, o...)
			}
		}
		deliver(t, d.peer, theirs, d.name)
	}
}

// Two desks offline each take the whole 107.10 EUR of one invoice: after
// sync it is paid twice over on both. Billing on A applies the credit to
// the patient's other invoice (53.55 EUR owed, so that much moves) and
// billing on B refunds the rest; once the changes have gone round in any
// order, both desks show the same ledger, the second invoice paid by
// credit, no conflict open, and every payment anyone took still there.
func TestOverpaymentSettledByCreditAndRefund(t *testing.T) {
	fewChecks(t, 10)
	raw, clk, invoices := billingBase(t)
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		a := openDesk(t, "A", filepath.Join(dir, fmt.Sprintf("a%d.db", n)), raw, clk, invoices)
		defer a.close(t)
		b := openDesk(t, "B", filepath.Join(dir, fmt.Sprintf("b%d.db", n)), raw, clk, invoices)
		defer b.close(t)
		var taken []core.ID
		for _, d := range []*desk{a, b} {
			p, err := d.billing.Pay(core.Payment{InvoiceID: invoices[0], Amount: eur(10710), Method: core.PaymentCash})
			if err != nil {
				t.Fatalf("%s: pay: %v", d.name, err)
			}
			taken = append(taken, p.ID)
		}
		exchange(t, a, b)
		if cs, err := a.billing.InvoiceConflicts(); err != nil || len(cs) != 1 {
			t.Fatalf("A: conflicts %v, %v; want the invoice paid twice over", cs, err)
		}
		if _, _, err := a.billing.ApplyCredit(invoices[1], invoices[0], core.Money{}); !errors.Is(err, ErrNoCredit) {
			t.Fatalf("credit from an invoice not paid over: %v", err)
		}
		out, in, err := a.billing.ApplyCredit(invoices[0], invoices[1], core.Money{})
		if err != nil {
			t.Fatalf("A: apply credit: %v", err)
		}
		if in.Amount != eur(5355) || out.Amount != eur(-5355) || in.Method != core.PaymentCredit || !strings.Contains(out.Reason, "credit applied to invoice") {
			t.Fatalf("credit moved %v out and %v in (%+v)", out.Amount, in.Amount, in)
		}
		if cs, _ := a.billing.InvoiceConflicts(); len(cs) != 1 {
			t.Fatalf("A: 53.55 EUR still over, yet conflicts %v", cs)
		}
		exchange(t, a, b)
		r, err := b.billing.Refund(taken[1], eur(5355), "paid twice at two desks")
		if err != nil {
			t.Fatalf("B: refund the rest: %v", err)
		}
		exchange(t, a, b)
		accts, pays, sum, confl := a.ledger(t)
		if got := fmt.Sprint(b.ledger(t)); got != fmt.Sprint(accts, pays, sum, confl) {
			t.Fatalf("the desks differ:\nA: %v %v %d %s\nB: %s", accts, pays, sum, confl, got)
		}
		if confl != "[]" {
			t.Fatalf("conflicts still open after credit and refund: %s", confl)
		}
		if !strings.Contains(accts[invoices[0]], "paid 107.10 EUR balance 0.00 EUR") || !strings.Contains(accts[invoices[1]], "paid 53.55 EUR balance 0.00 EUR") {
			t.Fatalf("accounts after settling: %v", accts)
		}
		// Taken 2 × 107.10, refunded 53.55; the credit moved inside.
		if sum != 2*10710-5355 {
			t.Fatalf("payments sum to %d, want %d", sum, 2*10710-5355)
		}
		for _, id := range append(taken, out.ID, in.ID, r.ID) {
			if _, err := b.billing.Payment(id); err != nil {
				t.Fatalf("payment %s lost: %v", id, err)
			}
		}
	})
}
