package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// invoiceCmd is clinic invoice: create, issue, show, list and cancel
// invoices.
func (a *app) invoiceCmd() *cobra.Command {
	return group("invoice", "create, issue, show, list and cancel invoices",
		a.invoiceCreateCmd(), a.invoiceIssueCmd(), a.invoiceShowCmd(), a.invoiceListCmd(), a.invoiceCancelCmd())
}

// parseID reads an ID argument or flag, as a usage error naming what.
func parseID(what, s string) (core.ID, error) {
	id, err := core.ParseID(s)
	if err != nil {
		return "", usageErr(fmt.Errorf("%s: %s", what, strip(err.Error())))
	}
	return id, nil
}

// itemSpec is one --item CODE[:QTY[:DISCOUNT]].
type itemSpec struct {
	code     string
	qty      int
	discount string
}

// parseItem reads CODE, CODE:QTY or CODE:QTY:DISCOUNT.
func parseItem(s string) (itemSpec, error) {
	parts := strings.Split(s, ":")
	it := itemSpec{code: parts[0], qty: 1}
	if len(parts) > 3 || it.code == "" {
		return it, usagef("--item %q is not CODE[:QTY[:DISCOUNT]]", s)
	}
	if len(parts) > 1 {
		n, err := strconv.Atoi(parts[1])
		if err != nil {
			return it, usagef("--item %q: quantity %q is not a whole number", s, parts[1])
		}
		it.qty = n
	}
	if len(parts) > 2 {
		it.discount = parts[2]
	}
	return it, nil
}

// invoiceCreateCmd is clinic invoice create.
func (a *app) invoiceCreateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create --patient ID [--appointment ID] [--item CODE[:QTY[:DISCOUNT]] …] [--issue]",
		Short: "create a draft invoice from the fee schedule and print its ID; a visit's fee is suggested from its length",
		Args:  noArgs,
	}
	f := cmd.Flags()
	patient := f.String("patient", "", "patient ID (required)")
	appt := f.String("appointment", "", "the completed visit it bills")
	items := f.StringArray("item", nil, "a fee code, with quantity and a discount off the line: CONS, CONS:2, CONS:1:5.00 (repeat); without one, an --appointment takes the visit fee for its length")
	notes := f.String("notes", "", "a note printed on the invoice")
	issue := f.Bool("issue", false, "issue it at once (it takes its number)")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *patient == "" {
			return usagef("invoice create needs --patient")
		}
		pid, err := parseID("--patient", *patient)
		if err != nil {
			return err
		}
		inv := core.Invoice{PatientID: pid, Notes: *notes}
		if *appt != "" {
			if inv.AppointmentID, err = parseID("--appointment", *appt); err != nil {
				return err
			}
		}
		var specs []itemSpec
		for _, s := range *items {
			it, err := parseItem(s)
			if err != nil {
				return err
			}
			specs = append(specs, it)
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			if len(specs) == 0 && inv.AppointmentID == "" {
				return usagef("invoice create needs at least one --item CODE; see clinic fee list")
			}
			if len(specs) == 0 {
				suggested, err := suggestedItems(s, inv.AppointmentID)
				if err != nil {
					return err
				}
				inv.Items = suggested
			}
			for _, sp := range specs {
				fee, err := s.Fee(sp.code)
				if err != nil {
					return err
				}
				it := fee.Item(sp.qty)
				if sp.discount != "" {
					if it.Discount, err = core.ParseAmount(sp.discount, db.Currency()); err != nil {
						return usageErr(fmt.Errorf("--item %s discount: %s", sp.code, strip(err.Error())))
					}
				}
				inv.Items = append(inv.Items, it)
			}
			made, err := s.CreateInvoice(inv)
			if err != nil {
				return err
			}
			if *issue {
				if made, err = s.IssueInvoice(made.ID); err != nil {
					return err
				}
			}
			return a.created(made.ID, made)
		})
	}
	return cmd
}

// invoiceIssueCmd is clinic invoice issue.
func (a *app) invoiceIssueCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "issue ID",
		Short: "issue a draft invoice: it takes this workstation's next number, which is printed",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id, err := parseID("invoice ID", args[0])
			if err != nil {
				return err
			}
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				inv, err := s.IssueInvoice(id)
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, inv, nil, nil)
				}
				_, err = fmt.Fprintln(a.e.stdout, inv.Number)
				return err
			})
		}}
}

// invoiceCancelCmd is clinic invoice cancel.
func (a *app) invoiceCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel ID --reason TEXT",
		Short: "cancel an issued invoice with a credit note (printed); it is never deleted",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "why it is cancelled (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if strings.TrimSpace(*reason) == "" {
			return usagef("invoice cancel needs --reason")
		}
		id, err := parseID("invoice ID", args[0])
		if err != nil {
			return err
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			inv, err := s.CancelInvoice(id, *reason)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, inv, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "%s cancelled by credit note %s\n", inv.Number, inv.CreditNote)
			return err
		})
	}
	return cmd
}

// invoiceShowCmd is clinic invoice show.
func (a *app) invoiceShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "show an invoice: its lines, totals, payments and balance",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id, err := parseID("invoice ID", args[0])
			if err != nil {
				return err
			}
			return a.withSession(func(db *store.DB, s *store.Session) error {
				v, err := s.Invoice(id)
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, v, nil, nil)
				}
				name := patientName(s, v.Invoice.PatientID)
				_, err = fmt.Fprint(a.e.stdout, invoiceText(v, name, db.Zone()))
				return err
			})
		}}
}

// invoiceRow is one invoice as clinic invoice list prints it.
type invoiceRow struct {
	ID        core.ID            `json:"id"`
	Number    string             `json:"number"`
	PatientID core.ID            `json:"patient_id"`
	Patient   string             `json:"patient"`
	Status    core.InvoiceStatus `json:"status"`
	Issued    string             `json:"issued"`
	Total     core.Money         `json:"total"`
	Paid      core.Money         `json:"paid"`
	Balance   core.Money         `json:"balance"`
}

// invoiceListCmd is clinic invoice list.
func (a *app) invoiceListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--unpaid] [--patient ID] [--status S]",
		Short: "list invoices, newest first, with what each has had paid and still owes",
		Args:  noArgs,
	}
	f := cmd.Flags()
	unpaid := f.Bool("unpaid", false, "only issued invoices with money still owed")
	patient := f.String("patient", "", "only this patient's")
	status := f.String("status", "", "only invoices in this status: draft, issued, partially_paid, paid, cancelled")
	cmd.RunE = func(*cobra.Command, []string) error {
		var filter core.InvoiceFilter
		filter.Unpaid = *unpaid
		if *patient != "" {
			id, err := parseID("--patient", *patient)
			if err != nil {
				return err
			}
			filter.Patient = id
		}
		if *status != "" {
			st, err := core.ParseInvoiceStatus(*status)
			if err != nil {
				return usageErr(fmt.Errorf("--status: %s", strip(err.Error())))
			}
			filter.Status = st
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			vs, err := s.Invoices(filter)
			if err != nil {
				return err
			}
			names := patientNames(s, vs)
			out := make([]invoiceRow, 0, len(vs))
			rows := make([][]string, 0, len(vs))
			for _, v := range vs {
				r := invoiceRow{ID: v.Invoice.ID, Number: v.Invoice.Number, PatientID: v.Invoice.PatientID, Patient: names[v.Invoice.PatientID],
					Status: v.Account.Status, Total: v.Account.Total, Paid: v.Account.Paid, Balance: v.Account.Balance}
				if !v.Invoice.IssuedAt.IsZero() {
					r.Issued = string(core.DateOf(v.Invoice.IssuedAt, db.Zone()))
				}
				out = append(out, r)
				rows = append(rows, []string{string(r.ID), orDash(r.Number), r.Patient, string(r.Status), orDash(r.Issued), r.Total.String(), r.Paid.String(), r.Balance.String()})
			}
			return table(a.e.stdout, a.c.json, out, []string{"ID", "NUMBER", "PATIENT", "STATUS", "ISSUED", "TOTAL", "PAID", "BALANCE"}, rows)
		})
	}
	return cmd
}

// orDash is s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// patientName is a patient's name for a heading, or their ID when it
// cannot be read.
func patientName(s *store.Session, id core.ID) string {
	names, err := s.PatientNames([]core.ID{id})
	if err != nil || names[id] == "" {
		return string(id)
	}
	return names[id]
}

// patientNames are the names of the invoices' patients.
func patientNames(s *store.Session, vs []core.InvoiceView) map[core.ID]string {
	ids := make([]core.ID, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.Invoice.PatientID)
	}
	names, err := s.PatientNames(ids)
	if err != nil {
		return map[core.ID]string{}
	}
	return names
}

// errNoVisitFee is returned when a visit is invoiced without items and no
// fee is a visit fee.
var errNoVisitFee = core.NewError(core.ClassValidation, "no fee is a visit fee: add one with clinic fee add CODE --visit MINUTES, or give --item")

// suggestedItems are the lines the fee schedule suggests for an
// appointment (core.SuggestItems).
func suggestedItems(s *store.Session, appt core.ID) ([]core.InvoiceItem, error) {
	a, err := s.Appointment(appt)
	if err != nil {
		return nil, err
	}
	fees, err := s.Fees()
	if err != nil {
		return nil, err
	}
	items := core.SuggestItems(a, fees)
	if items == nil {
		return nil, errNoVisitFee
	}
	return items, nil
}
