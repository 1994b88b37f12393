// Package billing is the billing desk: billing's home worklist (unpaid
// invoices and invoices paid twice over), a patient's account, taking a
// payment or giving a refund, and the day-end cash-up. Reception reaches
// the payment screen from the schedule; amounts and statuses are always
// the store's, worked out from the payments, never kept here.
//
// It imports tui/ui and core only, never the root or another screen.
package billing
