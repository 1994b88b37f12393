package core

import (
	"fmt"
	"math"
	"time"
)

// ErrCurrency is returned when amounts in different currencies would be
// added together.
var ErrCurrency = NewError(ClassValidation, "core: currencies differ")

// ErrOverpaid is returned when the payments on an invoice add up to more
// than its total.
var ErrOverpaid = NewError(ClassValidation, "core: payments exceed the invoice total")

// Limits of an invoice.
const (
	maxInvoiceItems = 200
	maxItemQuantity = 10000
	// maxUnitMinor keeps every possible total inside int64.
	maxUnitMinor = 1_000_000_000_000
)

// InvoiceStatus is where an invoice is between drafting and payment.
type InvoiceStatus string

// The invoice statuses.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoiceIssued        InvoiceStatus = "issued"
	InvoicePartiallyPaid InvoiceStatus = "partially_paid"
	InvoicePaid          InvoiceStatus = "paid"
	InvoiceCancelled     InvoiceStatus = "cancelled"
)

// invoiceMachine: draft → issued → partially_paid → paid; issued → paid;
// issued → cancelled (by a credit note). A refund takes a paid invoice back
// to partially_paid or issued. Once money was taken an invoice is settled
// (or the money refunded first), not cancelled. Only draft, issued and
// cancelled are ever stored; the paid states follow from the payments.
var invoiceMachine = machine[InvoiceStatus]{
	kind: KindInvoice,
	next: map[InvoiceStatus][]InvoiceStatus{
		InvoiceDraft:         {InvoiceIssued},
		InvoiceIssued:        {InvoicePartiallyPaid, InvoicePaid, InvoiceCancelled},
		InvoicePartiallyPaid: {InvoicePaid, InvoiceIssued},
		InvoicePaid:          {InvoicePartiallyPaid, InvoiceIssued},
		InvoiceCancelled:     nil,
	},
}

// CheckTransition returns nil when an invoice may go from s to next, or a
// *TransitionError wrapping ErrTransition.
func (s InvoiceStatus) CheckTransition(next InvoiceStatus) error {
	return invoiceMachine.check(s, next)
}

// ParseInvoiceStatus checks that s names an invoice status.
func ParseInvoiceStatus(s string) (InvoiceStatus, error) {
	c := &checker{kind: KindInvoice}
	invoiceMachine.checkState(c, "status", InvoiceStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return InvoiceStatus(s), nil
}

// InvoiceItem is one line of an invoice: a service or good, how many, the
// price of one, a discount off the line and the tax rate on what remains.
type InvoiceItem struct {
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitPrice   Money  `json:"unit_price"`
	// Code is an optional tariff or procedure code (a fee's code).
	Code string `json:"code"`
	// Discount is taken off the whole line before tax; zero for none.
	Discount Money `json:"discount"`
	// Tax is the rate charged on the line after the discount.
	Tax Rate `json:"tax"`
}

// Invoice is what a patient owes for a visit or service, in one currency.
//
// Only the lifecycle is stored in Status: draft, issued or cancelled. Paid
// and partially paid are worked out from the payments (InvoiceAccount), so
// that two desks taking money offline never merge into a status that the
// payments do not bear out.
type Invoice struct {
	Meta
	PatientID     ID            `json:"patient_id"`
	AppointmentID ID            `json:"appointment_id"`
	Number        string        `json:"number"`
	Items         []InvoiceItem `json:"items"`
	Currency      string        `json:"currency"`
	Status        InvoiceStatus `json:"status"`
	IssuedAt      time.Time     `json:"issued_at"`
	DueDate       Date          `json:"due_date"`
	Notes         string        `json:"notes" text:"multiline"`
	// Desk is the workstation (device ID) that issued the invoice and
	// numbered it.
	Desk string `json:"desk"`
	// CreditNote is the number of the credit note that cancelled the
	// invoice, with when and why.
	CreditNote   string    `json:"credit_note"`
	CancelledAt  time.Time `json:"cancelled_at"`
	CancelReason string    `json:"cancel_reason"`
}

func init() { register(KindInvoice, func() Entity { return &Invoice{} }) }

// Kind is KindInvoice.
func (*Invoice) Kind() Kind { return KindInvoice }

// Validate checks every field and lists all that are wrong. A draft may have
// no items and no number yet; an issued invoice has at least one item, a
// number and says when it was issued; a cancelled one names its credit
// note and why. Every price is in the invoice's currency.
func (inv *Invoice) Validate() error {
	c := &checker{kind: KindInvoice}
	c.refID("patient", inv.PatientID, "a patient")
	c.optRefID("appointment", inv.AppointmentID, "an appointment")
	if inv.Status != InvoiceDraft && c.require("number", inv.Number) || inv.Number != "" {
		c.maxLen("number", inv.Number, 40)
	}
	if !validCurrency(inv.Currency) {
		c.add("currency", "must be an ISO 4217 code like EUR")
	}
	invoiceMachine.checkState(c, "status", inv.Status)
	switch n := len(inv.Items); {
	case n == 0 && inv.Status != InvoiceDraft:
		c.add("items", "needs at least one item")
	case n > maxInvoiceItems:
		c.add("items", fmt.Sprintf("must list at most %d items", maxInvoiceItems))
	}
	for i, it := range inv.Items {
		it.validate(c, fmt.Sprintf("items[%d]", i), inv.Currency)
	}
	if inv.Status != InvoiceDraft && inv.IssuedAt.IsZero() {
		c.add("issued_at", "is required once the invoice is issued")
	}
	if inv.Status == InvoiceCancelled {
		c.require("credit_note", inv.CreditNote)
		c.require("cancel_reason", inv.CancelReason)
		if inv.CancelledAt.IsZero() {
			c.add("cancelled_at", "is required once the invoice is cancelled")
		}
	}
	c.maxLen("credit_note", inv.CreditNote, 40)
	c.maxLen("cancel_reason", inv.CancelReason, 500)
	c.maxLen("desk", inv.Desk, 40)
	c.optDay("due_date", inv.DueDate)
	c.maxLen("notes", inv.Notes, 2000)
	c.freeText(inv)
	return c.err()
}

// validate adds the item's errors to c, each named prefix.field.
func (it *InvoiceItem) validate(c *checker, prefix, currency string) {
	if c.require(prefix+".description", it.Description) {
		c.maxLen(prefix+".description", it.Description, 200)
	}
	if it.Quantity < 1 || it.Quantity > maxItemQuantity {
		c.add(prefix+".quantity", fmt.Sprintf("must be between 1 and %d", maxItemQuantity))
	}
	switch {
	case it.UnitPrice.Currency != currency:
		c.add(prefix+".unit_price", "must be in the invoice currency "+currency)
	case it.UnitPrice.Minor < 0:
		c.add(prefix+".unit_price", "must not be negative")
	case it.UnitPrice.Minor > maxUnitMinor:
		c.add(prefix+".unit_price", "must be at most "+Money{Minor: maxUnitMinor, Currency: currency}.String())
	}
	switch d := it.Discount; {
	case d.Minor == 0:
	case d.Currency != currency:
		c.add(prefix+".discount", "must be in the invoice currency "+currency)
	case d.Minor < 0:
		c.add(prefix+".discount", "must not be negative")
	case it.Quantity >= 1 && it.Quantity <= maxItemQuantity && it.UnitPrice.Minor >= 0 && it.UnitPrice.Minor <= maxUnitMinor &&
		d.Minor > it.UnitPrice.Minor*int64(it.Quantity):
		c.add(prefix+".discount", "must not be more than the line")
	}
	if !it.Tax.valid() {
		c.add(prefix+".tax", "must be between 0% and 100%")
	}
	c.maxLen(prefix+".code", it.Code, 20)
}

// Net is the line after its discount, before tax, in minor units.
func (it *InvoiceItem) Net() int64 {
	return it.UnitPrice.Minor*int64(it.Quantity) - it.Discount.Minor
}

// TaxAmount is the tax on the line, rounded half away from zero to the
// minor unit, line by line.
func (it *InvoiceItem) TaxAmount() int64 { return it.Tax.of(it.Net()) }

// Totals are an invoice's sums: before tax, the tax, and what is owed.
type Totals struct {
	Net   Money `json:"net"`
	Tax   Money `json:"tax"`
	Gross Money `json:"gross"`
}

// Totals adds up the items. Every price must be in the invoice's currency;
// otherwise the error wraps ErrCurrency.
func (inv *Invoice) Totals() (Totals, error) {
	var net, tax int64
	for i, it := range inv.Items {
		if it.UnitPrice.Currency != inv.Currency || it.Discount.Minor != 0 && it.Discount.Currency != inv.Currency {
			return Totals{}, fmt.Errorf("%w: item %d (%s) is in %s, the invoice in %s", ErrCurrency, i+1, it.Description, it.UnitPrice.Currency, inv.Currency)
		}
		line, ok := mulMinor(it.UnitPrice.Minor, int64(it.Quantity))
		if ok {
			line -= it.Discount.Minor
			net, ok = addMinor(net, line)
		}
		if ok && line < maxUnitMinor*maxItemQuantity {
			tax, ok = addMinor(tax, it.Tax.of(line))
		} else {
			ok = false
		}
		if !ok {
			return Totals{}, fmt.Errorf("%w: invoice total is too large", ErrInvalid)
		}
	}
	gross, ok := addMinor(net, tax)
	if !ok {
		return Totals{}, fmt.Errorf("%w: invoice total is too large", ErrInvalid)
	}
	cur := inv.Currency
	return Totals{Net: Money{net, cur}, Tax: Money{tax, cur}, Gross: Money{gross, cur}}, nil
}

// Total is what the invoice asks for: its items after discounts, with tax.
func (inv *Invoice) Total() (Money, error) {
	t, err := inv.Totals()
	return t.Gross, err
}

// mulMinor multiplies two amounts and reports false on overflow.
func mulMinor(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// addMinor adds two amounts and reports false on overflow.
func addMinor(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// PaymentMethod is how money was received.
type PaymentMethod string

// The payment methods.
const (
	PaymentCash      PaymentMethod = "cash"
	PaymentCard      PaymentMethod = "card"
	PaymentTransfer  PaymentMethod = "transfer"
	PaymentInsurance PaymentMethod = "insurance"
	// PaymentCredit is credit moved between two invoices of one patient:
	// a negative payment on the invoice that was paid over and a positive
	// one on the invoice it pays. No money changes hands at a desk.
	PaymentCredit PaymentMethod = "credit"
)

// PaymentMethods lists every payment method.
var PaymentMethods = []PaymentMethod{PaymentCash, PaymentCard, PaymentTransfer, PaymentInsurance, PaymentCredit}

// Valid reports whether m is one of PaymentMethods.
func (m PaymentMethod) Valid() bool {
	for _, x := range PaymentMethods {
		if x == m {
			return true
		}
	}
	return false
}

// Payment is money received against an invoice, or, with a negative
// amount, money given back (a refund of an earlier payment, with a reason).
// Payments are append-only, so two desks taking money offline never lose
// either payment in a merge, and a refund never edits what it refunds.
type Payment struct {
	Meta
	InvoiceID  ID            `json:"invoice_id"`
	PatientID  ID            `json:"patient_id"`
	Amount     Money         `json:"amount"`
	Method     PaymentMethod `json:"method"`
	ReceivedAt time.Time     `json:"received_at"`
	ReceivedBy string        `json:"received_by"`
	// Reference is the card slip, transfer or claim reference.
	Reference string `json:"reference"`
	// Desk is the workstation (device ID) the money changed hands at, for
	// the day-end report.
	Desk string `json:"desk"`
	// RefundOf is the payment a refund gives money back from; Reason says
	// why. Both are set exactly when Amount is negative.
	RefundOf ID     `json:"refund_of"`
	Reason   string `json:"reason"`
	// ClaimID is the insurance claim an insurer's payment settles.
	ClaimID ID `json:"claim_id"`
	// A payment taken at the desk names no invoice (reception cannot read
	// invoices): InvoiceID is empty and it names, instead, the invoice
	// number the patient shows or the visit it pays for. Where billing
	// reads it, the store puts it on that invoice (store/deskpay.go).
	InvoiceNumber string `json:"invoice_number"`
	AppointmentID ID     `json:"appointment_id"`
}

func init() { register(KindPayment, func() Entity { return &Payment{} }) }

// Kind is KindPayment.
func (*Payment) Kind() Kind { return KindPayment }

// IsRefund reports whether the payment gives money back.
func (p *Payment) IsRefund() bool { return p.Amount.Minor < 0 }

// AtDesk reports whether the payment was taken at the desk without naming
// an invoice: it names an invoice number or a visit instead.
func (p *Payment) AtDesk() bool { return p.InvoiceID == "" }

// Validate checks every field and lists all that are wrong.
func (p *Payment) Validate() error {
	c := &checker{kind: KindPayment}
	if p.AtDesk() {
		c.optRefID("appointment", p.AppointmentID, "an appointment")
		c.maxLen("invoice_number", p.InvoiceNumber, 64)
		if p.AppointmentID == "" && p.InvoiceNumber == "" {
			c.add("invoice", "name the invoice, its number or the visit it pays for")
		}
		if p.IsRefund() {
			c.add("amount", "a payment taken at the desk is never a refund")
		}
	} else {
		c.refID("invoice", p.InvoiceID, "an invoice")
		if p.InvoiceNumber != "" || p.AppointmentID != "" {
			c.add("invoice_number", "only a payment taken at the desk names its invoice by number or visit")
		}
	}
	c.refID("patient", p.PatientID, "a patient")
	switch {
	case !validCurrency(p.Amount.Currency):
		c.add("amount", "must have an ISO 4217 currency like EUR")
	case p.Amount.Minor == 0:
		c.add("amount", "must not be zero")
	case p.Amount.Minor > maxUnitMinor*maxItemQuantity || p.Amount.Minor < -maxUnitMinor*maxItemQuantity:
		c.add("amount", "is too large")
	}
	if !p.Method.Valid() {
		c.add("method", "must be one of cash, card, transfer, insurance, credit")
	}
	if p.ReceivedAt.IsZero() {
		c.add("received_at", "is required")
	}
	c.staff("received_by", p.ReceivedBy)
	c.maxLen("reference", p.Reference, 100)
	c.maxLen("desk", p.Desk, 40)
	if p.Amount.Minor < 0 {
		c.refID("refund_of", p.RefundOf, "a payment")
		c.require("reason", p.Reason)
	} else if p.RefundOf != "" {
		c.add("refund_of", "is only for a refund (a negative amount)")
	}
	c.optRefID("claim", p.ClaimID, "a claim")
	c.maxLen("reason", p.Reason, 500)
	c.freeText(p)
	return c.err()
}

// Account is an invoice's money as its payments stand: never stored, always
// worked out from the invoice's items and every payment and refund on it,
// so every replica that holds the same records shows the same figures.
type Account struct {
	// Total is what the items add up to; Due is what is owed, the total or
	// nothing once the invoice is cancelled (a draft owes nothing yet).
	Total Money `json:"total"`
	Due   Money `json:"due"`
	// Paid is every payment less every refund.
	Paid Money `json:"paid"`
	// Balance is Due less Paid: above zero still owed, below zero paid
	// over (the patient is in credit).
	Balance Money         `json:"balance"`
	Status  InvoiceStatus `json:"status"`
}

// Overpaid reports whether more was received than is owed.
func (a Account) Overpaid() bool { return a.Balance.Minor < 0 }

// Open reports whether money is still owed on an issued invoice.
func (a Account) Open() bool {
	return a.Balance.Minor > 0 && (a.Status == InvoiceIssued || a.Status == InvoicePartiallyPaid)
}

// InvoiceAccount works out an invoice's account from its payments (all of
// them, for this invoice, in any order): the status is paid when they cover
// what is due, partially_paid when they cover part of it, issued when none
// did; a draft and a cancelled invoice keep their status. Payments for
// another invoice are an error wrapping ErrInvalid, in another currency one
// wrapping ErrCurrency.
func InvoiceAccount(inv *Invoice, payments []Payment) (Account, error) {
	total, err := inv.Total()
	if err != nil {
		return Account{}, err
	}
	var paid int64
	for i, p := range payments {
		switch {
		case p.InvoiceID != inv.ID:
			return Account{}, fmt.Errorf("%w: payment %d is for another invoice", ErrInvalid, i+1)
		case p.Amount.Currency != inv.Currency:
			return Account{}, fmt.Errorf("%w: payment %d is in %s, the invoice in %s", ErrCurrency, i+1, p.Amount.Currency, inv.Currency)
		}
		var ok bool
		if paid, ok = addMinor(paid, p.Amount.Minor); !ok {
			return Account{}, fmt.Errorf("%w: payments add up to too much", ErrInvalid)
		}
	}
	cur := inv.Currency
	a := Account{Total: total, Due: total, Paid: Money{paid, cur}, Status: inv.Status}
	if inv.Status == InvoiceDraft || inv.Status == InvoiceCancelled {
		a.Due = Money{0, cur}
	}
	a.Balance = Money{a.Due.Minor - paid, cur}
	if inv.Status == InvoiceDraft || inv.Status == InvoiceCancelled {
		return a, nil
	}
	switch {
	case paid <= 0:
		a.Status = InvoiceIssued
	case paid < a.Due.Minor:
		a.Status = InvoicePartiallyPaid
	default:
		a.Status = InvoicePaid
	}
	return a, nil
}
