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
// issued → cancelled. Once money was taken an invoice is settled, not
// cancelled.
var invoiceMachine = machine[InvoiceStatus]{
	kind: KindInvoice,
	next: map[InvoiceStatus][]InvoiceStatus{
		InvoiceDraft:         {InvoiceIssued},
		InvoiceIssued:        {InvoicePartiallyPaid, InvoicePaid, InvoiceCancelled},
		InvoicePartiallyPaid: {InvoicePaid},
		InvoicePaid:          nil,
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

// InvoiceItem is one line of an invoice: a service or good, how many, and the
// price of one.
type InvoiceItem struct {
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitPrice   Money  `json:"unit_price"`
	// Code is an optional tariff or procedure code.
	Code string `json:"code"`
}

// Invoice is what a patient owes for a visit or service, in one currency.
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
}

func init() { register(KindInvoice, func() Entity { return &Invoice{} }) }

// Kind is KindInvoice.
func (*Invoice) Kind() Kind { return KindInvoice }

// Validate checks every field and lists all that are wrong. A draft may have
// no items yet; an issued invoice has at least one and says when it was
// issued. Every price is in the invoice's currency.
func (inv *Invoice) Validate() error {
	c := &checker{kind: KindInvoice}
	c.refID("patient", inv.PatientID, "a patient")
	c.optRefID("appointment", inv.AppointmentID, "an appointment")
	if c.require("number", inv.Number) {
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
	c.maxLen(prefix+".code", it.Code, 20)
}

// Total adds up the items. Every price must be in the invoice's currency;
// otherwise the error wraps ErrCurrency.
func (inv *Invoice) Total() (Money, error) {
	var sum int64
	for i, it := range inv.Items {
		if it.UnitPrice.Currency != inv.Currency {
			return Money{}, fmt.Errorf("%w: item %d (%s) is in %s, the invoice in %s", ErrCurrency, i+1, it.Description, it.UnitPrice.Currency, inv.Currency)
		}
		line, ok := mulMinor(it.UnitPrice.Minor, int64(it.Quantity))
		if ok {
			sum, ok = addMinor(sum, line)
		}
		if !ok {
			return Money{}, fmt.Errorf("%w: invoice total is too large", ErrInvalid)
		}
	}
	return Money{Minor: sum, Currency: inv.Currency}, nil
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
)

// PaymentMethods lists every payment method.
var PaymentMethods = []PaymentMethod{PaymentCash, PaymentCard, PaymentTransfer, PaymentInsurance}

// Valid reports whether m is one of PaymentMethods.
func (m PaymentMethod) Valid() bool {
	for _, x := range PaymentMethods {
		if x == m {
			return true
		}
	}
	return false
}

// Payment is money received against an invoice. Payments are append-only, so
// two desks taking money offline never lose either payment in a merge.
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
}

func init() { register(KindPayment, func() Entity { return &Payment{} }) }

// Kind is KindPayment.
func (*Payment) Kind() Kind { return KindPayment }

// Validate checks every field and lists all that are wrong.
func (p *Payment) Validate() error {
	c := &checker{kind: KindPayment}
	c.refID("invoice", p.InvoiceID, "an invoice")
	c.refID("patient", p.PatientID, "a patient")
	switch {
	case !validCurrency(p.Amount.Currency):
		c.add("amount", "must have an ISO 4217 currency like EUR")
	case p.Amount.Minor <= 0:
		c.add("amount", "must be more than zero")
	}
	if !p.Method.Valid() {
		c.add("method", "must be one of cash, card, transfer, insurance")
	}
	if p.ReceivedAt.IsZero() {
		c.add("received_at", "is required")
	}
	c.staff("received_by", p.ReceivedBy)
	c.maxLen("reference", p.Reference, 100)
	c.freeText(p)
	return c.err()
}

// InvoiceStatusAfter works out the status an invoice should have once the
// given payments (all of them, for this invoice) are counted: paid when they
// cover the total, partially_paid when they cover part of it, and the
// current status when no money was received. Payments in another currency
// are an error wrapping ErrCurrency, more than the total one wrapping
// ErrOverpaid, and a status the invoice may not move to (a payment on a
// draft or a cancelled invoice) a *TransitionError.
func InvoiceStatusAfter(inv *Invoice, payments []Payment) (InvoiceStatus, error) {
	total, err := inv.Total()
	if err != nil {
		return "", err
	}
	var paid int64
	for i, p := range payments {
		switch {
		case p.InvoiceID != inv.ID:
			return "", fmt.Errorf("%w: payment %d is for another invoice", ErrInvalid, i+1)
		case p.Amount.Currency != inv.Currency:
			return "", fmt.Errorf("%w: payment %d is in %s, the invoice in %s", ErrCurrency, i+1, p.Amount.Currency, inv.Currency)
		case p.Amount.Minor <= 0:
			return "", fmt.Errorf("%w: payment %d is not more than zero", ErrInvalid, i+1)
		}
		var ok bool
		if paid, ok = addMinor(paid, p.Amount.Minor); !ok {
			return "", fmt.Errorf("%w: payments add up to too much", ErrOverpaid)
		}
	}
	var next InvoiceStatus
	switch {
	case paid == 0:
		return inv.Status, nil
	case paid > total.Minor:
		return "", fmt.Errorf("%w: %s paid against %s", ErrOverpaid, Money{Minor: paid, Currency: inv.Currency}, total)
	case paid == total.Minor:
		next = InvoicePaid
	default:
		next = InvoicePartiallyPaid
	}
	if next != inv.Status {
		if err := invoiceMachine.check(inv.Status, next); err != nil {
			return "", err
		}
	}
	return next, nil
}
