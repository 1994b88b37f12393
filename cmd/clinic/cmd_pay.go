package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// payCmd is clinic pay: take money against an invoice (billing), or at
// the desk for a patient's invoice or visit (reception, which reads no
// invoice).
func (a *app) payCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use: "pay [INVOICE] --amount 20.00 --method cash|card|insurance|transfer [--ref R] [--out FILE]\n" +
			"  clinic pay --patient PATIENT (--number INVOICE-NUMBER | --visit APPOINTMENT) --amount … --method … [--ref R] [--out FILE]",
		Short: "take a payment (whole or part) on an issued invoice, or at the desk for a patient, and print its ID",
		Long: "Billing names the invoice by its ID, and more than it owes is refused.\n" +
			"At the desk reception reads no invoice: it names the patient and the number of the invoice\n" +
			"the patient shows (--number) or the visit paid for (--visit). The payment is sealed to billing,\n" +
			"which puts it on that invoice; the desk sees no balance and cannot read the payment back.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("usage: %s", cmd.UseLine())
			}
			return nil
		},
	}
	f := cmd.Flags()
	amount := f.String("amount", "", "how much, in the clinic's currency (required)")
	method := f.String("method", "", "cash, card, insurance or transfer (required)")
	ref := f.String("ref", "", "the card slip, transfer or claim reference (required for card)")
	out := f.String("out", "", "also write the receipt to this text FILE")
	patient := f.String("patient", "", "at the desk: the patient paying")
	number := f.String("number", "", "at the desk: the number of the invoice the patient shows")
	visit := f.String("visit", "", "at the desk: the appointment (visit) paid for")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *amount == "" || *method == "" {
			return usagef("pay needs --amount and --method")
		}
		m := core.PaymentMethod(*method)
		if !m.Valid() {
			return usagef("--method %q is not one of cash, card, insurance, transfer", *method)
		}
		var p core.Payment
		switch {
		case len(args) == 1 && *patient == "" && *number == "" && *visit == "":
			id, err := parseID("invoice ID", args[0])
			if err != nil {
				return err
			}
			p.InvoiceID = id
		case len(args) == 0 && *patient != "" && (*number != "" || *visit != ""):
			id, err := parseID("patient ID", *patient)
			if err != nil {
				return err
			}
			p.PatientID, p.InvoiceNumber = id, *number
			if *visit != "" {
				if p.AppointmentID, err = parseID("appointment ID", *visit); err != nil {
					return err
				}
			}
		default:
			return usagef("pay takes an INVOICE, or at the desk --patient with --number or --visit")
		}
		p.Method, p.Reference = m, *ref
		return a.withAmount(*amount, *out, func(s *store.Session, amt core.Money) (core.Payment, error) {
			p.Amount = amt
			return s.Pay(p)
		})
	}
	return cmd
}

// refundCmd is clinic refund: give money back from a payment.
func (a *app) refundCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "refund PAYMENT --amount 5.00 --reason TEXT [--out FILE]",
		Short: "refund (part of) a payment as a new, negative payment and print its ID",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	amount := f.String("amount", "", "how much to give back (required)")
	reason := f.String("reason", "", "why (required)")
	out := f.String("out", "", "also write the refund receipt to this text FILE")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *amount == "" || strings.TrimSpace(*reason) == "" {
			return usagef("refund needs --amount and --reason")
		}
		id, err := parseID("payment ID", args[0])
		if err != nil {
			return err
		}
		return a.withAmount(*amount, *out, func(s *store.Session, amt core.Money) (core.Payment, error) {
			return s.Refund(id, amt, *reason)
		})
	}
	return cmd
}

// receiptCmd is clinic receipt: show a payment's receipt again.
func (a *app) receiptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "receipt PAYMENT [--out FILE] [--pdf FILE]",
		Short: "print the receipt of a payment or refund, or write it to a text or PDF file",
		Args:  exactArgs(1),
	}
	out := cmd.Flags().String("out", "", "write the receipt to this text FILE instead")
	pdf := cmd.Flags().String("pdf", "", "write the receipt to this PDF FILE instead (A4, for printing)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := parseID("payment ID", args[0])
		if err != nil {
			return err
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			p, err := s.Payment(id)
			if err != nil {
				return err
			}
			text, err := receiptFor(db, s, p)
			if err != nil {
				return err
			}
			if *pdf != "" {
				doc, err := receiptPDF(text)
				if err != nil {
					return err
				}
				if err := writeOut(*pdf, string(doc)); err != nil {
					return err
				}
			}
			if *out != "" {
				return writeOut(*out, text)
			}
			if *pdf != "" {
				return nil
			}
			_, err = fmt.Fprint(a.e.stdout, text)
			return err
		})
	}
	return cmd
}

// receipt prints a new payment's ID (or with --json the record) and writes
// its receipt to out when given.
func (a *app) receipt(db *store.DB, s *store.Session, p core.Payment, out string) error {
	if out != "" {
		text, err := receiptFor(db, s, p)
		if err != nil {
			return err
		}
		if err := writeOut(out, text); err != nil {
			return err
		}
	}
	return a.created(p.ID, p)
}

// receiptFor renders a payment's receipt with its invoice as it now
// stands; a desk payment's without it (the desk reads no invoice).
func receiptFor(db *store.DB, s *store.Session, p core.Payment) (string, error) {
	if p.AtDesk() {
		// Taken at the desk and on no invoice here (yet): what it names.
		return receiptText(db.Org().Name, p, core.InvoiceView{}, patientName(s, p.PatientID), db.Zone()), nil
	}
	v, err := s.Invoice(p.InvoiceID)
	if err != nil {
		return "", err
	}
	return receiptText(db.Org().Name, p, v, patientName(s, v.Invoice.PatientID), db.Zone()), nil
}

// errWrite is returned when a report or receipt file cannot be written.
var errWrite = core.NewError(core.ClassStore, "cannot write the file")

// writeOut writes text to a file only the user can read: a receipt names a
// patient.
func writeOut(path, text string) error {
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("%w %s: %s", errWrite, path, strip(err.Error()))
	}
	return nil
}

// balanceCmd is clinic balance: a patient's account.
func (a *app) balanceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "balance PATIENT",
		Short: "show what a patient owes: each invoice's balance and the total",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id, err := parseID("patient ID", args[0])
			if err != nil {
				return err
			}
			return a.withSession(func(db *store.DB, s *store.Session) error {
				acct, err := s.Account(id)
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, acct, nil, nil)
				}
				rows := make([][]string, 0, len(acct.Invoices))
				for _, v := range acct.Invoices {
					rows = append(rows, []string{orDash(v.Invoice.Number), string(v.Account.Status), v.Account.Total.String(), v.Account.Paid.String(), v.Account.Balance.String()})
				}
				fmt.Fprintf(a.e.stdout, "%s\n\n", core.SafeText(patientName(s, id)))
				if err := table(a.e.stdout, false, nil, []string{"NUMBER", "STATUS", "TOTAL", "PAID", "BALANCE"}, rows); err != nil {
					return err
				}
				for _, p := range acct.AtDesk {
					fmt.Fprintf(a.e.stdout, "taken at the desk, on no invoice yet: %s %s %s (%s)\n", p.ID, p.Amount, p.Method, core.SafeText(deskNames(p)))
				}
				word := "owes"
				if acct.Balance.Minor < 0 {
					word = "is in credit by"
				}
				owed := acct.Balance
				if owed.Minor < 0 {
					owed = owed.Neg()
				}
				_, err = fmt.Fprintf(a.e.stdout, "\n%s %s\n", word, owed)
				return err
			})
		}}
}

// deskNames says what a desk payment names instead of an invoice.
func deskNames(p core.Payment) string {
	if p.InvoiceNumber != "" {
		return "invoice " + p.InvoiceNumber
	}
	return "visit " + string(p.AppointmentID)
}

// withAmount logs in, reads amount in the clinic's currency, runs write
// (a payment or a refund) and prints its receipt, also to out when set.
func (a *app) withAmount(amount, out string, write func(s *store.Session, amt core.Money) (core.Payment, error)) error {
	return a.withSession(func(db *store.DB, s *store.Session) error {
		amt, err := core.ParseAmount(amount, db.Currency())
		if err != nil {
			return usageErr(fmt.Errorf("--amount: %s", strip(err.Error())))
		}
		p, err := write(s, amt)
		if err != nil {
			return err
		}
		return a.receipt(db, s, p, out)
	})
}
