package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"medisecure/core"
)

// desk is one workstation of the billing property: a copy of one store with
// its own device identity, billing and reception logged in.
type desk struct {
	*peer
	billing  *Session
	invoices []core.ID
	payments []core.ID
}

// billingBase makes a store with billing's fees, a patient and two issued
// invoices (107.10 and 53.55 EUR) and returns its bytes.
func billingBase(t testing.TB) (raw []byte, clk *testClock, invoices []core.ID) {
	t.Helper()
	f := newBillingFixture(t)
	invoices = []core.ID{f.issued(t, 2).ID, f.issued(t, 1).ID}
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	return raw, f.clock, invoices
}

// openDesk opens a copy of raw as a workstation of its own.
func openDesk(t rapid.TB, name, path string, raw []byte, clk *testClock, invoices []core.ID) *desk {
	t.Helper()
	p := openPeer(t, name, path, raw, clk)
	if err := p.admin.NewDeviceIdentity(); err != nil {
		t.Fatalf("new device for %s: %v", name, err)
	}
	b, err := p.db.Login("billing", "billing-pass")
	if err != nil {
		t.Fatalf("billing login on %s: %v", name, err)
	}
	return &desk{peer: p, billing: b, invoices: append([]core.ID(nil), invoices...)}
}

// step draws one thing a desk does offline: take a payment, refund one it
// took, or issue a new invoice.
func (d *desk) step(t *rapid.T, patient core.ID, label string) {
	switch op := rapid.IntRange(0, 4).Draw(t, label+" op"); op {
	case 0, 1, 2:
		inv := rapid.SampledFrom(d.invoices).Draw(t, label+" invoice")
		v, err := d.billing.Invoice(inv)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if !v.Account.Open() {
			return
		}
		amt := rapid.Int64Range(1, v.Account.Balance.Minor).Draw(t, label+" amount")
		method := rapid.SampledFrom([]core.PaymentMethod{core.PaymentCash, core.PaymentInsurance}).Draw(t, label+" method")
		pay := core.Payment{InvoiceID: inv, Amount: eur(amt), Method: method}
		taker := d.billing
		if op == 2 {
			// Taken at the desk, which names the invoice by its number.
			pay, taker = core.Payment{PatientID: patient, InvoiceNumber: v.Invoice.Number, Amount: eur(amt), Method: method}, d.desk
		}
		p, err := taker.Pay(pay)
		if err != nil {
			t.Fatalf("%s: pay %d on an invoice owing %v: %v", d.name, amt, v.Account.Balance, err)
		}
		d.payments = append(d.payments, p.ID)
	case 3:
		if len(d.payments) == 0 {
			return
		}
		id := rapid.SampledFrom(d.payments).Draw(t, label+" refund of")
		p, err := d.billing.Payment(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.IsRefund() {
			return
		}
		r, err := d.billing.Refund(id, eur(rapid.Int64Range(1, p.Amount.Minor).Draw(t, label+" refund")), "returned at the desk")
		if errors.Is(err, ErrRefund) {
			return // refunded already as far as it goes
		}
		if err != nil {
			t.Fatalf("%s: refund: %v", d.name, err)
		}
		d.payments = append(d.payments, r.ID)
	case 4:
		fee, err := d.billing.Fee("DRESS")
		if err != nil {
			t.Fatal(err)
		}
		inv, err := d.billing.CreateInvoice(core.Invoice{PatientID: patient, Items: []core.InvoiceItem{fee.Item(1 + rapid.IntRange(0, 3).Draw(t, label+" qty"))}})
		if err == nil {
			inv, err = d.billing.IssueInvoice(inv.ID)
		}
		if err != nil {
			t.Fatalf("%s: invoice: %v", d.name, err)
		}
		d.invoices = append(d.invoices, inv.ID)
	}
}

// ledger is what a desk shows of the money: every invoice's number and
// account, every payment ID, the total taken, and the open conflicts.
func (d *desk) ledger(t rapid.TB) (accounts map[core.ID]string, payments []core.ID, sum int64, conflicts string) {
	t.Helper()
	vs, err := d.billing.Invoices(core.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	accounts = map[core.ID]string{}
	for _, v := range vs {
		accounts[v.Invoice.ID] = fmt.Sprintf("%s %s paid %v balance %v", v.Invoice.Number, v.Account.Status, v.Account.Paid, v.Account.Balance)
	}
	ps, err := d.billing.Payments("")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		payments = append(payments, p.ID)
		sum += p.Amount.Minor
	}
	sort.Slice(payments, func(i, j int) bool { return payments[i] < payments[j] })
	cs, err := d.billing.InvoiceConflicts()
	if err != nil {
		t.Fatal(err)
	}
	return accounts, payments, sum, fmt.Sprint(cs)
}

// Three desks take payments, refund and issue invoices offline; their
// changes are delivered in any order, some twice, in batches. Every desk
// then shows the same accounts, statuses, payments and conflicts, holds
// every payment any desk took, numbers no two invoices alike and skips no
// number in any desk's series, and an invoice is in conflict exactly when
// it is overpaid.
func TestBillingConvergesWhateverTheOrder(t *testing.T) {
	fewChecks(t, 30)
	raw, clk, invoices := billingBase(t)
	var patient core.ID
	{
		d := openDesk(t, "probe", filepath.Join(t.TempDir(), "probe.db"), raw, clk, invoices)
		v, err := d.billing.Invoice(invoices[0])
		must(t, err)
		patient = v.Invoice.PatientID
		d.close(t)
	}
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		var desks []*desk
		for _, name := range []string{"A", "B", "C"} {
			d := openDesk(t, name, filepath.Join(dir, fmt.Sprintf("%s%d.db", name, n)), raw, clk, invoices)
			defer d.close(t)
			desks = append(desks, d)
		}
		taken := map[core.ID]bool{}
		for _, d := range desks {
			for i := range rapid.IntRange(0, 8).Draw(t, d.name+" ops") {
				clk.t = clk.t.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "tick")) * time.Millisecond)
				d.step(t, patient, fmt.Sprintf("%s op %d", d.name, i))
			}
			for _, id := range d.payments {
				taken[id] = true
			}
		}
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
		accts, pays, sum, confl := desks[0].ledger(t)
		for _, d := range desks[1:] {
			a, p, s, c := d.ledger(t)
			if fmt.Sprint(a) != fmt.Sprint(accts) || fmt.Sprint(p) != fmt.Sprint(pays) || s != sum || c != confl {
				t.Fatalf("%s differs from A:\n%v\n%v\n%d %s\nA:\n%v\n%v\n%d %s", d.name, a, p, s, c, accts, pays, sum, confl)
			}
		}
		sameExport(t, desks[0].peer, desks[1].peer)
		sameExport(t, desks[0].peer, desks[2].peer)
		if len(pays) != len(taken) {
			t.Fatalf("%d payments after sync, %d were taken", len(pays), len(taken))
		}
		for _, id := range pays {
			if !taken[id] {
				t.Fatalf("payment %s appeared from nowhere", id)
			}
		}
		checkNumbers(t, accts)
		overpaid := 0
		for _, a := range accts {
			if strings.Contains(a, "balance -") {
				overpaid++
			}
		}
		if got := strings.Count(confl, core.ConflictOnInvoice); got != overpaid {
			t.Fatalf("%d invoice conflicts for %d overpaid invoices: %s", got, overpaid, confl)
		}
	})
}

// checkNumbers fails when two invoices share a number or a series skips
// one: each series must run 1, 2, 3 … with no gap.
func checkNumbers(t rapid.TB, accounts map[core.ID]string) {
	t.Helper()
	seen := map[string]bool{}
	series := map[string][]int{}
	for _, a := range accounts {
		num := strings.Fields(a)[0]
		if seen[num] {
			t.Fatalf("invoice number %s used twice", num)
		}
		seen[num] = true
		i := strings.LastIndex(num, "-")
		var n int
		fmt.Sscanf(num[i+1:], "%d", &n)
		series[num[:i]] = append(series[num[:i]], n)
	}
	for s, ns := range series {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				t.Fatalf("series %s has numbers %v: a gap or a repeat", s, ns)
			}
		}
	}
}
