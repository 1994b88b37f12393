package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// reportCmd is clinic report: the day-end cash-up and the ageing list.
func (a *app) reportCmd() *cobra.Command {
	return group("report", "day-end cash-up and ageing of unpaid invoices", a.reportDayEndCmd(), a.reportAgeingCmd())
}

// reportDay reads --date, or today in the clinic's zone.
func (a *app) reportDay(date string, db *store.DB) (core.Date, error) {
	if date == "" {
		return core.DateOf(a.e.now(), db.Zone()), nil
	}
	d, err := core.ParseDate(date)
	if err != nil {
		return "", usageErr(fmt.Errorf("--date: %s", strip(err.Error())))
	}
	return d, nil
}

// reportDayEndCmd is clinic report dayend.
func (a *app) reportDayEndCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dayend [--date YYYY-MM-DD] [--out FILE]",
		Short: "the day's takings by desk, user and method, with totals by method",
		Args:  noArgs,
	}
	date := cmd.Flags().String("date", "", "the day (default today, in the clinic's zone)")
	out := cmd.Flags().String("out", "", "write the report to this text FILE instead")
	cmd.RunE = func(*cobra.Command, []string) error {
		return a.withSession(func(db *store.DB, s *store.Session) error {
			day, err := a.reportDay(*date, db)
			if err != nil {
				return err
			}
			r, err := s.DayEnd(day)
			if err != nil {
				return err
			}
			if a.c.json && *out == "" {
				return table(a.e.stdout, true, r, nil, nil)
			}
			text := dayEndText(db.Org().Name, r)
			if *out != "" {
				return writeOut(*out, text)
			}
			_, err = fmt.Fprint(a.e.stdout, text)
			return err
		})
	}
	return cmd
}

// ageingRow is one unpaid invoice in the ageing list.
type ageingRow struct {
	Band      core.AgeBand `json:"band"`
	Days      int          `json:"days"`
	ID        core.ID      `json:"id"`
	Number    string       `json:"number"`
	PatientID core.ID      `json:"patient_id"`
	Patient   string       `json:"patient"`
	Balance   core.Money   `json:"balance"`
}

// reportAgeingCmd is clinic report ageing.
func (a *app) reportAgeingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ageing [--date YYYY-MM-DD]",
		Short: "unpaid invoices by age: 0-30, 31-60, 61-90 and over 90 days since issue",
		Args:  noArgs,
	}
	date := cmd.Flags().String("date", "", "the day to age them on (default today)")
	cmd.RunE = func(*cobra.Command, []string) error {
		return a.withSession(func(db *store.DB, s *store.Session) error {
			day, err := a.reportDay(*date, db)
			if err != nil {
				return err
			}
			lines, err := s.Ageing(day)
			if err != nil {
				return err
			}
			vs := make([]core.InvoiceView, 0, len(lines))
			for _, l := range lines {
				vs = append(vs, l.Invoice)
			}
			names := patientNames(s, vs)
			out := make([]ageingRow, 0, len(lines))
			rows := make([][]string, 0, len(lines)+len(core.AgeBands))
			sums := map[core.AgeBand]int64{}
			for _, l := range lines {
				inv := l.Invoice.Invoice
				r := ageingRow{Band: l.Band, Days: l.Days, ID: inv.ID, Number: inv.Number, PatientID: inv.PatientID, Patient: names[inv.PatientID], Balance: l.Invoice.Account.Balance}
				out = append(out, r)
				sums[l.Band] += r.Balance.Minor
				rows = append(rows, []string{string(r.Band), fmt.Sprint(r.Days), r.Number, r.Patient, r.Balance.String()})
			}
			if a.c.json {
				return table(a.e.stdout, true, out, nil, nil)
			}
			for _, b := range core.AgeBands {
				rows = append(rows, []string{"total " + string(b), "", "", "", core.Money{Minor: sums[b], Currency: db.Currency()}.String()})
			}
			return table(a.e.stdout, false, nil, []string{"AGE", "DAYS", "NUMBER", "PATIENT", "OWED"}, rows)
		})
	}
	return cmd
}

// invoiceText renders an invoice for the terminal or a file; every stored
// string goes through core.SafeText.
func invoiceText(v core.InvoiceView, patient string, zone *time.Location) string {
	inv, acc := v.Invoice, v.Account
	var b strings.Builder
	number := orDash(inv.Number)
	fmt.Fprintf(&b, "Invoice %s  (%s)\n", core.SafeText(number), acc.Status)
	fmt.Fprintf(&b, "Patient  %s\n", core.SafeText(patient))
	if !inv.IssuedAt.IsZero() {
		fmt.Fprintf(&b, "Issued   %s   due %s\n", inv.IssuedAt.In(zone).Format("2006-01-02"), inv.DueDate)
	}
	if inv.Status == core.InvoiceCancelled {
		fmt.Fprintf(&b, "Cancelled %s by credit note %s: %s\n", inv.CancelledAt.In(zone).Format("2006-01-02"), core.SafeText(inv.CreditNote), core.SafeText(inv.CancelReason))
	}
	b.WriteString("\n")
	for _, it := range inv.Items {
		line := core.Money{Minor: it.Net(), Currency: inv.Currency}
		fmt.Fprintf(&b, "  %-8s %-30s %4d x %12s", core.SafeText(it.Code), core.SafeText(it.Description), it.Quantity, it.UnitPrice)
		if it.Discount.Minor != 0 {
			fmt.Fprintf(&b, "  less %s", it.Discount)
		}
		fmt.Fprintf(&b, "  = %s  tax %s\n", line, it.Tax)
	}
	if t, err := inv.Totals(); err == nil {
		fmt.Fprintf(&b, "\n  net %s   tax %s   total %s\n", t.Net, t.Tax, t.Gross)
	}
	if len(v.Payments) > 0 {
		b.WriteString("\nPayments\n")
		for _, p := range v.Payments {
			what := string(p.Method)
			if p.IsRefund() {
				what = "refund (" + core.SafeText(p.Reason) + ")"
			}
			fmt.Fprintf(&b, "  %s  %s  %12s  %s  by %s  %s\n", p.ReceivedAt.In(zone).Format("2006-01-02 15:04"), p.ID, p.Amount, what, core.SafeText(p.ReceivedBy), core.SafeText(p.Reference))
		}
	}
	fmt.Fprintf(&b, "\n  paid %s   balance %s\n", acc.Paid, acc.Balance)
	return b.String()
}

// receiptText is the receipt of one payment or refund.
func receiptText(clinic string, p core.Payment, v core.InvoiceView, patient string, zone *time.Location) string {
	var b strings.Builder
	title := "RECEIPT"
	if p.IsRefund() {
		title = "REFUND"
	}
	fmt.Fprintf(&b, "%s\n%s %s\n\n", core.SafeText(clinic), title, p.ID)
	fmt.Fprintf(&b, "Date      %s\n", p.ReceivedAt.In(zone).Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Patient   %s\n", core.SafeText(patient))
	switch {
	case p.AtDesk() && p.InvoiceNumber != "":
		fmt.Fprintf(&b, "Invoice   %s\n", core.SafeText(p.InvoiceNumber))
	case p.AtDesk():
		fmt.Fprintf(&b, "Visit     %s\n", p.AppointmentID)
	default:
		fmt.Fprintf(&b, "Invoice   %s\n", core.SafeText(orDash(v.Invoice.Number)))
	}
	fmt.Fprintf(&b, "Amount    %s\n", p.Amount)
	fmt.Fprintf(&b, "Method    %s\n", p.Method)
	if p.Reference != "" {
		fmt.Fprintf(&b, "Reference %s\n", core.SafeText(p.Reference))
	}
	if p.IsRefund() {
		fmt.Fprintf(&b, "Refund of %s: %s\n", p.RefundOf, core.SafeText(p.Reason))
	}
	fmt.Fprintf(&b, "Taken by  %s at desk %s\n\n", core.SafeText(p.ReceivedBy), core.SafeText(p.Desk))
	if p.AtDesk() {
		b.WriteString("Taken at the desk; billing puts it on the invoice.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Invoice total %s, paid %s, balance %s (%s)\n", v.Account.Total, v.Account.Paid, v.Account.Balance, v.Account.Status)
	return b.String()
}

// dayEndText is the cash-up report.
func dayEndText(clinic string, r core.CashUp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nDay end %s\n\n", core.SafeText(clinic), r.Day)
	if len(r.Lines) == 0 {
		b.WriteString("No payments taken.\n")
	}
	fmt.Fprintf(&b, "%-18s %-14s %-10s %5s %14s %14s\n", "DESK", "USER", "METHOD", "COUNT", "REFUNDS", "NET")
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "%-18s %-14s %-10s %5d %14s %14s\n", core.SafeText(l.Desk), core.SafeText(l.User), l.Method, l.Count, l.Refunds, l.Total)
	}
	b.WriteString("\nBy method\n")
	for _, m := range core.PaymentMethods {
		if v, ok := r.ByMethod[m]; ok {
			fmt.Fprintf(&b, "  %-10s %14s\n", m, v)
		}
	}
	fmt.Fprintf(&b, "  %-10s %14s\n", "total", r.Total)
	return b.String()
}
