package billing

import (
	"medisecure/core"
	"medisecure/tui/ui"
)

// Port is what the billing screens need of a session. Every figure comes
// back worked out from the invoice's items and payments (core.Account).
type Port interface {
	ui.NamesPort
	// Invoices lists invoices with their accounts, newest first.
	Invoices(f core.InvoiceFilter) ([]core.InvoiceView, error)
	// Invoice returns one invoice with its payments and account.
	Invoice(id core.ID) (core.InvoiceView, error)
	// Account is a patient's invoices and balance; the view is logged.
	Account(patient core.ID) (core.PatientAccount, error)
	// Pay takes a payment; more than is owed is core.ErrOverpaid. A login
	// that reads no invoice (reception) names the patient and the visit
	// or invoice number instead, and its payment is not read back.
	Pay(p core.Payment) (core.Payment, error)
	// Currency is the clinic's currency, in which amounts are typed.
	Currency() string
	// Refund gives back part of a payment as a new negative payment.
	Refund(payment core.ID, amount core.Money, reason string) (core.Payment, error)
	// DayEnd is the cash-up of a day in the clinic's zone.
	DayEnd(day core.Date) (core.CashUp, error)
	// Fees is the fee schedule by code.
	Fees() ([]core.Fee, error)
	// Appointment returns one appointment (the visit an invoice bills).
	Appointment(id core.ID) (core.Appointment, error)
	// CreateInvoice writes a draft invoice; IssueInvoice gives it this
	// workstation's next number.
	CreateInvoice(inv core.Invoice) (core.Invoice, error)
	IssueInvoice(id core.ID) (core.Invoice, error)
	// ApplyCredit moves what invoice from was paid over to invoice to of
	// the same patient (as much as fits when amount is zero).
	ApplyCredit(from, to core.ID, amount core.Money) (out, in core.Payment, err error)
	// Claims lists the insurance claims in a status ("" for all), oldest
	// first; only billing may.
	Claims(status core.ClaimStatus) ([]core.Claim, error)
}
