package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// claimCmd is clinic claim: insurance claims from issued invoices.
func (a *app) claimCmd() *cobra.Command {
	return group("claim", "insurance claims: create, submit (FHIR R4 Claim), record the insurer's answer, list",
		a.claimCreateCmd(), a.claimSubmitCmd(), a.claimStatusCmd(), a.claimListCmd())
}

// claimCreateCmd is clinic claim create INVOICE.
func (a *app) claimCreateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "create INVOICE",
		Short: "draft a claim for what an issued invoice still owes, to the patient's insurer; print its ID",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id, err := parseID("invoice ID", args[0])
			if err != nil {
				return err
			}
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				cl, err := s.CreateClaim(id)
				if err != nil {
					return err
				}
				return a.created(cl.ID, cl)
			})
		}}
}

// claimSubmitCmd is clinic claim submit ID [--out FILE].
func (a *app) claimSubmitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit ID [--out FILE]",
		Short: "submit a draft claim and write it as a FHIR R4 Claim resource (JSON)",
		Args:  exactArgs(1),
	}
	out := cmd.Flags().String("out", "", "write the FHIR Claim JSON to this FILE (default: print it)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := parseID("claim ID", args[0])
		if err != nil {
			return err
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			if _, err := s.SetClaimStatus(id, core.ClaimSubmitted, "", core.Money{}); err != nil {
				return err
			}
			doc, err := s.ClaimFHIR(id)
			if err != nil {
				return err
			}
			if *out != "" {
				return writeOut(*out, string(doc)+"\n")
			}
			_, err = fmt.Fprintln(a.e.stdout, string(doc))
			return err
		})
	}
	return cmd
}

// claimStatusCmd is clinic claim status ID accepted|rejected|paid|draft.
func (a *app) claimStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status ID accepted|rejected|paid|draft [--reason TEXT] [--amount A]",
		Short: "record the insurer's answer: accepted, rejected (with --reason), paid (posts the insurer's payment), or back to draft",
		Args:  exactArgs(2),
	}
	reason := cmd.Flags().String("reason", "", "why the insurer rejected it (required for rejected)")
	amount := cmd.Flags().String("amount", "", "what the insurer paid (default: the amount claimed)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := parseID("claim ID", args[0])
		if err != nil {
			return err
		}
		to, err := core.ParseClaimStatus(args[1])
		if err != nil {
			return usageErr(fmt.Errorf("claim status: %s", strip(err.Error())))
		}
		if to == core.ClaimRejected && strings.TrimSpace(*reason) == "" {
			return usagef("claim status rejected needs --reason")
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			var amt core.Money
			if *amount != "" {
				if amt, err = core.ParseAmount(*amount, db.Currency()); err != nil {
					return usageErr(fmt.Errorf("--amount: %s", strip(err.Error())))
				}
			}
			cl, err := s.SetClaimStatus(id, to, *reason, amt)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, cl, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "claim %s is %s\n", cl.ID, cl.Status)
			return err
		})
	}
	return cmd
}

// claimListCmd is clinic claim list [--status S].
func (a *app) claimListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--status S]",
		Short: "list claims, oldest first, optionally in one status",
		Args:  noArgs,
	}
	status := cmd.Flags().String("status", "", "draft, submitted, accepted, rejected or paid")
	cmd.RunE = func(*cobra.Command, []string) error {
		var st core.ClaimStatus
		if *status != "" {
			var err error
			if st, err = core.ParseClaimStatus(*status); err != nil {
				return usageErr(fmt.Errorf("--status: %s", strip(err.Error())))
			}
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			cls, err := s.Claims(st)
			if err != nil {
				return err
			}
			if cls == nil {
				cls = []core.Claim{}
			}
			rows := make([][]string, 0, len(cls))
			for _, cl := range cls {
				rows = append(rows, []string{string(cl.ID), string(cl.Status), cl.Insurer, cl.PolicyNumber, cl.Amount.String(), string(cl.InvoiceID), cl.RejectionReason})
			}
			return table(a.e.stdout, a.c.json, cls, []string{"ID", "STATUS", "INSURER", "MEMBER", "AMOUNT", "INVOICE", "REASON"}, rows)
		})
	}
	return cmd
}
