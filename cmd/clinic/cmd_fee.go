package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// feeCmd is clinic fee: the clinic's fee schedule.
func (a *app) feeCmd() *cobra.Command {
	return group("fee", "keep the fee schedule (services, prices, tax)", a.feeAddCmd(), a.feeListCmd())
}

// feeAddCmd is clinic fee add: a new fee, or new terms for an existing
// code.
func (a *app) feeAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add CODE --price 45.00 --desc TEXT [--tax 0.19] [--visit MINUTES]",
		Short: "add a fee (or change the one with that code) and print its ID",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	price := f.String("price", "", "price of one, in the clinic's currency (required)")
	desc := f.String("desc", "", "what the invoice calls it (required)")
	tax := f.String("tax", "0", "tax rate, as 0.19 or 19%")
	visit := f.Int("visit", 0, "make it the fee for a visit of up to `MINUTES`, suggested when a completed appointment is invoiced")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *price == "" || *desc == "" {
			return usagef("fee add needs --price and --desc")
		}
		rate, err := core.ParseRate(*tax)
		if err != nil {
			return usageErr(fmt.Errorf("--tax: %s", strip(err.Error())))
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			p, err := core.ParseAmount(*price, db.Currency())
			if err != nil {
				return usageErr(fmt.Errorf("--price: %s", strip(err.Error())))
			}
			fee, err := s.SetFee(core.Fee{Code: args[0], Description: *desc, Price: p, Tax: rate, Visit: *visit})
			if err != nil {
				return err
			}
			return a.created(fee.ID, fee)
		})
	}
	return cmd
}

// feeListCmd is clinic fee list.
func (a *app) feeListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "list the fee schedule by code",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				fees, err := s.Fees()
				if err != nil {
					return err
				}
				rows := make([][]string, 0, len(fees))
				for _, f := range fees {
					rows = append(rows, []string{f.Code, f.Description, f.Price.String(), f.Tax.String(), visitText(f.Visit)})
				}
				if fees == nil {
					fees = []core.Fee{}
				}
				return table(a.e.stdout, a.c.json, fees, []string{"CODE", "DESCRIPTION", "PRICE", "TAX", "VISIT"}, rows)
			})
		}}
}

// visitText is a fee's visit length for the fee list: "up to 20 min", or
// "-" for a fee that is not a visit fee.
func visitText(minutes int) string {
	if minutes <= 0 {
		return "-"
	}
	return fmt.Sprintf("up to %d min", minutes)
}
