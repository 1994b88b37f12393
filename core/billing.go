package core

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"
)

// ConflictOnInvoice is the Conflict.On of an invoice paid twice over: two
// desks took money for it while offline, and together the payments are more
// than it asks for. Both payments stay; billing refunds or credits the
// difference, and the conflict is resolved once the invoice is no longer
// overpaid.
const ConflictOnInvoice = "invoice"

// NewInvoiceConflict builds the conflict of an overpaid invoice. Its ID
// depends only on the invoice and its fields only on the payments, so every
// replica holding the same payments builds the same one. at is when the
// later of the payments was taken.
func NewInvoiceConflict(invoice ID, payments []ID, at time.Time) *Conflict {
	sum := sha256.Sum256([]byte("conflict\x00invoice\x00" + string(invoice)))
	ids := append([]ID(nil), payments...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	at = at.UTC()
	return &Conflict{
		Meta:    Meta{ID: ID(hex.EncodeToString(sum[:12])), CreatedAt: at, UpdatedAt: at, CreatedBy: "merge"},
		On:      ConflictOnInvoice,
		Invoice: invoice,
		// Appointments stays zero: the pair is the invoice's payments.
		Payments: ids,
		Status:   ConflictOpen,
	}
}

// AgeBand is how long an unpaid invoice has been outstanding.
type AgeBand string

// The bands of the ageing list, by days since the invoice was issued.
const (
	Age0to30  AgeBand = "0-30"
	Age31to60 AgeBand = "31-60"
	Age61to90 AgeBand = "61-90"
	AgeOver90 AgeBand = "90+"
)

// AgeBands lists the bands, youngest first.
var AgeBands = []AgeBand{Age0to30, Age31to60, Age61to90, AgeOver90}

// AgeOf is the band of an invoice issued on day issued, seen on day today.
func AgeOf(issued, today Date) AgeBand {
	a, errA := issued.Time(time.UTC)
	b, errB := today.Time(time.UTC)
	if errA != nil || errB != nil {
		return Age0to30
	}
	days := int(b.Sub(a).Hours() / 24)
	switch {
	case days <= 30:
		return Age0to30
	case days <= 60:
		return Age31to60
	case days <= 90:
		return Age61to90
	}
	return AgeOver90
}

// CashUpLine is one desk's takings by one user in one method on one day.
type CashUpLine struct {
	Desk   string        `json:"desk"`
	User   string        `json:"user"`
	Method PaymentMethod `json:"method"`
	// Count is how many payments and refunds; Refunds is the money given
	// back (negative or zero); Total is the net, payments less refunds.
	Count   int   `json:"count"`
	Refunds Money `json:"refunds"`
	Total   Money `json:"total"`
}

// CashUp is the day-end report: takings by desk, user and method, and the
// day's total per method.
type CashUp struct {
	Day      Date                    `json:"day"`
	Currency string                  `json:"currency"`
	Lines    []CashUpLine            `json:"lines"`
	ByMethod map[PaymentMethod]Money `json:"by_method"`
	Total    Money                   `json:"total"`
}

// DayEnd adds up the payments received on day (in zone) by desk, user and
// method, in one currency; payments of other days or currencies are left
// out. The order of payments does not matter.
func DayEnd(day Date, zone *time.Location, currency string, payments []Payment) CashUp {
	r := CashUp{Day: day, Currency: currency, ByMethod: map[PaymentMethod]Money{}, Total: Money{0, currency}}
	lines := map[[3]string]*CashUpLine{}
	for _, p := range payments {
		if DateOf(p.ReceivedAt, zone) != day || p.Amount.Currency != currency {
			continue
		}
		k := [3]string{p.Desk, p.ReceivedBy, string(p.Method)}
		l, ok := lines[k]
		if !ok {
			l = &CashUpLine{Desk: p.Desk, User: p.ReceivedBy, Method: p.Method, Refunds: Money{0, currency}, Total: Money{0, currency}}
			lines[k] = l
		}
		l.Count++
		l.Total.Minor += p.Amount.Minor
		if p.Amount.Minor < 0 {
			l.Refunds.Minor += p.Amount.Minor
		}
		m := r.ByMethod[p.Method]
		r.ByMethod[p.Method] = Money{m.Minor + p.Amount.Minor, currency}
		r.Total.Minor += p.Amount.Minor
	}
	for _, l := range lines {
		r.Lines = append(r.Lines, *l)
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		a, b := r.Lines[i], r.Lines[j]
		if a.Desk != b.Desk {
			return a.Desk < b.Desk
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Method < b.Method
	})
	return r
}

// InvoiceView is an invoice with its payments (oldest first) and the
// account they add up to.
type InvoiceView struct {
	Invoice  Invoice   `json:"invoice"`
	Payments []Payment `json:"payments"`
	Account  Account   `json:"account"`
}

// InvoiceFilter narrows a list of invoices.
type InvoiceFilter struct {
	// Patient keeps one patient's invoices.
	Patient ID
	// Unpaid keeps issued invoices with money still owed.
	Unpaid bool
	// Status keeps invoices whose worked-out status is this one.
	Status InvoiceStatus
}

// PatientAccount is a patient's invoices and what they owe in all: the sum
// of the balances of their issued and cancelled invoices, less the desk
// payments on none of them (a credit is negative).
type PatientAccount struct {
	PatientID ID            `json:"patient_id"`
	Invoices  []InvoiceView `json:"invoices"`
	// AtDesk are the payments taken at the desk that are on no invoice
	// here yet (the invoice they name has not arrived, or none matches);
	// they are the patient's credit, counted in Balance.
	AtDesk  []Payment `json:"at_desk,omitempty"`
	Balance Money     `json:"balance"`
}

// AgeingLine is an unpaid invoice in the ageing list.
type AgeingLine struct {
	Band    AgeBand     `json:"band"`
	Days    int         `json:"days"`
	Invoice InvoiceView `json:"invoice"`
}
