package billing

import (
	"fmt"
	"time"

	"medisecure/core"
	"medisecure/tui/ui"
)

// statusWord names an invoice status in at most 14 cells.
func statusWord(s core.InvoiceStatus) string {
	switch s {
	case core.InvoicePartiallyPaid:
		return "part paid"
	case core.InvoiceIssued:
		return "unpaid"
	}
	return string(s)
}

// ageDays is how many days ago an invoice was issued, on day today.
func ageDays(issued time.Time, today core.Date, zone *time.Location) int {
	a, errA := core.DateOf(issued, zone).Time(time.UTC)
	b, errB := today.Time(time.UTC)
	if errA != nil || errB != nil || issued.IsZero() {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// invoiceRow is one invoice in a list w cells wide: number, patient,
// status, age and balance; the name column takes what is left.
func invoiceRow(v core.InvoiceView, name string, w int, today core.Date, zone *time.Location) string {
	const numberW, statusW, ageW, moneyW = 24, 10, 5, 14
	nameW := min(ui.MaxName, max(4, w-numberW-statusW-ageW-moneyW-6))
	age := ""
	if !v.Invoice.IssuedAt.IsZero() {
		age = fmt.Sprintf("%dd", ageDays(v.Invoice.IssuedAt, today, zone))
	}
	return ui.PadRight(ui.Text(ui.OrDash(v.Invoice.Number)), numberW) + " " +
		ui.PadRight(name, nameW) + " " +
		ui.PadRight(statusWord(v.Account.Status), statusW) + " " +
		ui.PadLeft(age, ageW) + " " +
		ui.PadLeft(v.Account.Balance.String(), moneyW)
}

// paymentRow is one payment or refund of an invoice.
func paymentRow(p core.Payment, zone *time.Location) string {
	what := string(p.Method)
	if p.Reference != "" {
		what += " " + ui.Text(p.Reference)
	}
	if p.IsRefund() {
		what = "refund: " + ui.Text(p.Reason)
	}
	return p.ReceivedAt.In(zone).Format("02 Jan 15:04") + "  " + ui.PadLeft(p.Amount.String(), 14) + "  " + ui.PadRight(ui.Text(p.ReceivedBy), 10) + " " + what
}

// money sums up an invoice: total, paid and what is still owed.
func money(a core.Account) string {
	owed := "owed " + a.Balance.String()
	if a.Overpaid() {
		owed = "paid over by " + a.Balance.Neg().String()
	}
	return fmt.Sprintf("total %s   paid %s   %s", a.Total, a.Paid, owed)
}
