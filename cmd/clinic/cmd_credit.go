package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// creditCmd is clinic credit: settle an invoice paid over.
func (a *app) creditCmd() *cobra.Command {
	return group("credit", "settle an invoice paid twice over by moving its credit to another invoice", a.creditApplyCmd())
}

// creditApplyCmd is clinic credit apply.
func (a *app) creditApplyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply INVOICE --to INVOICE [--amount 20.00]",
		Short: "move what an invoice was paid over to another invoice of the same patient and print the new payment's ID",
		Long: `credit apply: an invoice paid twice over (two desks took its payment offline) holds
credit. This moves it to another issued invoice of the same patient as two payments by
method credit: one out of the overpaid invoice, one into the other. Without --amount
as much moves as fits. The rest, if any, is refunded with clinic refund PAYMENT.`,
		Args: exactArgs(1),
	}
	f := cmd.Flags()
	to := f.String("to", "", "the invoice the credit pays (required)")
	amount := f.String("amount", "", "how much to move, in the clinic's currency (default: as much as fits)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *to == "" {
			return usagef("credit apply needs --to INVOICE")
		}
		from, err := parseID("invoice ID", args[0])
		if err != nil {
			return err
		}
		dst, err := parseID("--to", *to)
		if err != nil {
			return err
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			var amt core.Money
			if *amount != "" {
				if amt, err = core.ParseAmount(*amount, db.Currency()); err != nil {
					return usageErr(fmt.Errorf("--amount: %s", strip(err.Error())))
				}
			}
			_, in, err := s.ApplyCredit(from, dst, amt)
			if err != nil {
				return err
			}
			return a.created(in.ID, in)
		})
	}
	return cmd
}
