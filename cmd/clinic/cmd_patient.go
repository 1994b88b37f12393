package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// patientCmd is clinic patient: register or find patients.
func (a *app) patientCmd() *cobra.Command {
	return group("patient", "register or find patients", a.patientAddCmd(), a.patientFindCmd())
}

// patientAddCmd is clinic patient add.
func (a *app) patientAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add --name NAME --dob YYYY-MM-DD [--phone P] [--email E]",
		Short: "register a patient and print their ID",
		Args:  cobra.ArbitraryArgs,
	}
	p := core.Patient{}
	f := cmd.Flags()
	f.StringVar(&p.Name, "name", "", "full name (required)")
	dob := f.String("dob", "", "date of birth, YYYY-MM-DD (required)")
	f.StringVar(&p.Phone, "phone", "", "phone number")
	f.StringVar(&p.Email, "email", "", "e-mail address")
	f.StringVar(&p.Sex, "sex", "", "female, male, other or unknown")
	sms := f.Bool("sms", false, "the patient consents to SMS")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) != 0 {
			return usagef("patient add takes no arguments besides flags (quote names with spaces)")
		}
		p.DOB, p.Consent.SMS = core.Date(*dob), *sms
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			added, err := s.AddPatient(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "%s\n", added.ID)
			return nil
		})
	}
	return cmd
}

// patientFindCmd is clinic patient find.
func (a *app) patientFindCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "find TEXT",
		Short: "find patients by name, date of birth or phone",
		Args:  cobra.ArbitraryArgs,
	}
	limit := cmd.Flags().Int("limit", 20, "most results to show")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("usage: clinic patient find TEXT")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			found, err := s.FindPatients(strings.Join(args, " "), *limit)
			if err != nil {
				return err
			}
			rows := make([][]string, len(found))
			for i, p := range found {
				rows[i] = []string{string(p.ID), p.Name, string(p.DOB), p.Phone}
			}
			if found == nil {
				found = []core.Patient{}
			}
			return table(a.e.stdout, a.c.json, found, []string{"ID", "NAME", "DOB", "PHONE"}, rows)
		})
	}
	return cmd
}
