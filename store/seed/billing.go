package seed

import (
	"fmt"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// The demo's invoices are numbered in a series of their own, which no
// workstation's series (its device ID) can meet, and its payments taken at
// two named desks; the same options give the same records on every store.
const (
	seedSeries = "DEMO"
	deskFront  = "front-desk"
	deskOffice = "billing-office"
)

// fees are the demo clinic's fee schedule.
var fees = []core.Fee{
	{Code: "CONS", Description: "Consultation", Price: core.Money{Minor: 4500, Currency: "EUR"}},
	{Code: "LONG", Description: "Long consultation", Price: core.Money{Minor: 8000, Currency: "EUR"}},
	{Code: "DRESS", Description: "Wound dressing", Price: core.Money{Minor: 1250, Currency: "EUR"}, Tax: 1900},
	{Code: "LAB", Description: "Blood test", Price: core.Money{Minor: 1800, Currency: "EUR"}, Tax: 700},
	{Code: "VACC", Description: "Vaccination", Price: core.Money{Minor: 2500, Currency: "EUR"}},
}

// addFees writes the fee schedule as billing.
func (g *gen) addFees() error {
	for _, f := range fees {
		if _, err := g.billing.SetFee(f); err != nil {
			return fmt.Errorf("seed: fee %s: %w", f.Code, err)
		}
	}
	return nil
}

// bill writes a completed visit's invoice and what became of it: most are
// paid (in full or in part), some still owed, a few refunded in part,
// cancelled by a credit note, or left as drafts.
func (g *gen) bill(w *store.Writer, a core.Appointment, at time.Time) error {
	items := []core.InvoiceItem{fees[0].Item(1)}
	if g.brng.IntN(4) == 0 {
		items[0] = fees[1].Item(1)
	}
	if g.brng.IntN(3) == 0 {
		extra := bpick(g, fees[2:])
		items = append(items, extra.Item(1))
	}
	inv := core.Invoice{
		Meta: core.Meta{ID: g.bid(at), CreatedAt: at}, PatientID: a.PatientID, AppointmentID: a.ID,
		Currency: "EUR", Status: core.InvoiceDraft, Items: items,
	}
	outcome := g.brng.IntN(20)
	if outcome == 19 {
		return w.Add(&inv)
	}
	g.invoices++
	inv.Status, inv.Number, inv.IssuedAt, inv.Desk = core.InvoiceIssued, fmt.Sprintf("%s-%06d", seedSeries, g.invoices), at, deskOffice
	inv.DueDate = core.DateOf(at.AddDate(0, 0, 30), g.zone)
	if outcome == 18 {
		g.credits++
		cn := fmt.Sprintf("CN-%s-%06d", seedSeries, g.credits)
		inv.Status, inv.CreditNote, inv.CancelledAt, inv.CancelReason = core.InvoiceCancelled, cn, at.Add(time.Hour), "issued for the wrong service"
		return w.Add(&inv)
	}
	if err := w.Add(&inv); err != nil {
		return err
	}
	total, err := inv.Total()
	if err != nil {
		return err
	}
	switch {
	case outcome < 5: // still owed, some of it claimed from an insurer
		if outcome%2 == 0 {
			return g.claim(w, inv, total, at)
		}
		return nil
	case outcome < 8: // paid in part
		total.Minor /= 2
	}
	p, err := g.pay(w, inv, total, at.Add(10*time.Minute))
	if err != nil || outcome < 8 {
		return err
	}
	if outcome == 17 {
		r := core.Payment{Meta: core.Meta{ID: g.bid(at), CreatedAt: at.Add(time.Hour)}, InvoiceID: inv.ID, PatientID: inv.PatientID,
			Amount: core.Money{Minor: -total.Minor / 5, Currency: "EUR"}, Method: p.Method, ReceivedAt: at.Add(time.Hour),
			ReceivedBy: g.billing.User().Name, Desk: deskOffice, RefundOf: p.ID, Reason: "dressing not needed after all"}
		return w.Add(&r)
	}
	return nil
}

// pay writes one payment at the desk.
func (g *gen) pay(w *store.Writer, inv core.Invoice, amt core.Money, at time.Time) (core.Payment, error) {
	p := core.Payment{Meta: core.Meta{ID: g.bid(at), CreatedAt: at}, InvoiceID: inv.ID, PatientID: inv.PatientID, Amount: amt,
		Method:     bpick(g, []core.PaymentMethod{core.PaymentCash, core.PaymentCard, core.PaymentCard, core.PaymentInsurance}),
		ReceivedAt: at, ReceivedBy: g.desk.User().Name, Desk: deskFront}
	switch p.Method {
	case core.PaymentCard:
		p.Reference = fmt.Sprintf("slip %04d", g.brng.IntN(10000))
	case core.PaymentInsurance:
		p.Reference, p.ReceivedBy, p.Desk = fmt.Sprintf("claim %05d", g.brng.IntN(100000)), g.billing.User().Name, deskOffice
	}
	return p, w.Add(&p)
}

// insurers are the demo's insurance companies.
var insurers = []string{"AOK Nordost", "Techniker Krankenkasse", "Barmer", "DAK-Gesundheit"}

// claim writes an insurance claim for an unpaid invoice, in a status
// somewhere between draft and the insurer's answer.
func (g *gen) claim(w *store.Writer, inv core.Invoice, amt core.Money, at time.Time) error {
	cl := core.Claim{Meta: core.Meta{ID: g.bid(at), CreatedAt: at}, InvoiceID: inv.ID, PatientID: inv.PatientID,
		Insurer: bpick(g, insurers), PolicyNumber: fmt.Sprintf("M%09d", g.brng.IntN(1000000000)), Amount: amt,
		Status: bpick(g, []core.ClaimStatus{core.ClaimDraft, core.ClaimSubmitted, core.ClaimSubmitted, core.ClaimAccepted, core.ClaimRejected})}
	if cl.Status != core.ClaimDraft {
		cl.SubmittedAt = at.Add(2 * time.Hour)
	}
	if cl.Status == core.ClaimAccepted || cl.Status == core.ClaimRejected {
		cl.DecidedAt = at.Add(26 * time.Hour)
	}
	if cl.Status == core.ClaimRejected {
		cl.RejectionReason = "member number not found"
	}
	return w.Add(&cl)
}

// bid is id drawn from the billing stream. Billing has a random stream of
// its own so that what it draws leaves the schedule the seed makes as it
// was.
func (g *gen) bid(t time.Time) core.ID {
	id, _ := core.NewID(t, randReader{g.brng})
	return id
}

// bpick is pick from the billing stream.
func bpick[T any](g *gen, xs []T) T { return xs[g.brng.IntN(len(xs))] }

// keepStream draws from the schedule's random stream what the seed's
// billing drew from it before billing had a stream of its own (a price, an
// invoice ID, a part payment, a payment ID, a method), so that the demo's
// schedule, which tests and the README rely on, stays the one it was.
func (g *gen) keepStream(at time.Time) {
	g.rng.IntN(12)
	g.id(at)
	g.rng.IntN(5)
	g.id(at)
	g.rng.IntN(3)
}
