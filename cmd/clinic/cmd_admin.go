package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// exportCmd is clinic export: every live record as JSON lines.
func (a *app) exportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "print every live record as JSON lines (admins)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				_, err := s.Export(a.e.stdout)
				var d *core.DeniedError
				if errors.As(err, &d) {
					// The store guards the export by the access log's
					// permission; the user asked to export, so say that.
					return deniedError{fmt.Errorf("%s may not export the clinic's records: only admins export, and every export is logged", d.Role)}
				}
				return err
			})
		},
	}
}

// auditCmd is clinic audit: verify or read the access log.
func (a *app) auditCmd() *cobra.Command {
	return group("audit", "check or read the PHI access log (admins)", a.auditVerifyCmd(), a.auditListCmd(), a.auditReviewCmd())
}

// auditVerifyCmd is clinic audit verify.
func (a *app) auditVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "check the hash chain of the access log",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				n, err := s.AuditVerify()
				if err != nil {
					return err
				}
				fmt.Fprintf(a.e.stdout, "access log intact: %d entries\n", n)
				return nil
			})
		},
	}
}

// auditListCmd is clinic audit list.
func (a *app) auditListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--patient ID]",
		Short: "print the access log, or its entries about one patient",
		Args:  noArgs,
	}
	patient := cmd.Flags().String("patient", "", "only entries about this patient")
	cmd.RunE = func(*cobra.Command, []string) error {
		var pid core.ID
		if *patient != "" {
			var err error
			if pid, err = core.ParseID(*patient); err != nil {
				return usageErr(err)
			}
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			entries, err := s.AuditList(pid)
			if err != nil {
				return err
			}
			rows := make([][]string, len(entries))
			for i, e := range entries {
				rows[i] = []string{fmt.Sprint(e.Seq), e.At.In(db.Zone()).Format("2006-01-02 15:04:05"), e.User, string(e.Role), e.Action, string(e.PatientID), e.Reason}
			}
			if entries == nil {
				entries = []core.AccessEntry{}
			}
			return table(a.e.stdout, a.c.json, entries, []string{"SEQ", "AT", "USER", "ROLE", "ACTION", "PATIENT", "REASON"}, rows)
		})
	}
	return cmd
}
