package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"medisecure/core"
	"medisecure/store"
)

// patientCmd is clinic patient: register or find patients.
func (a *app) patientCmd() *cobra.Command {
	return group("patient", "register, find, show or edit patients", a.patientAddCmd(), a.patientFindCmd(), a.patientShowCmd(), a.patientEditCmd())
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

// patientShowCmd is clinic patient show.
func (a *app) patientShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID [--reason TEXT] [--json]",
		Short: "print one patient's details, upcoming appointments and visit history (the view is logged)",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "shown at the command line", "why the record is opened, for the access log")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(fmt.Errorf("patient ID: %s", strip(err.Error())))
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			p, err := s.Patient(id, *reason)
			if err != nil {
				return err
			}
			appts, err := s.PatientAppointments(id)
			if err != nil {
				return err
			}
			history, upcoming := core.SplitVisits(appts, a.e.now())
			if a.c.json {
				return table(a.e.stdout, true, patientJSON{p, nonNil(upcoming), nonNil(history)}, nil, nil)
			}
			if err := printPatient(a, p); err != nil {
				return err
			}
			for _, part := range []struct {
				title string
				appts []core.Appointment
			}{{"Upcoming", upcoming}, {"History", history}} {
				fmt.Fprintf(a.e.stdout, "\n%s: %d\n", part.title, len(part.appts))
				if len(part.appts) == 0 {
					continue
				}
				rows := make([][]string, len(part.appts))
				for i, ap := range part.appts {
					rows[i] = []string{string(ap.ID), ap.Start.In(db.Zone()).Format("2006-01-02 15:04"), fmt.Sprint(ap.Minutes), ap.Doctor, ap.Room, string(ap.Status), ap.Reason}
				}
				if err := table(a.e.stdout, false, nil, []string{"ID", "WHEN", "MIN", "DOCTOR", "ROOM", "STATUS", "REASON"}, rows); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return cmd
}

// patientJSON is clinic patient show --json.
type patientJSON struct {
	Patient  core.Patient       `json:"patient"`
	Upcoming []core.Appointment `json:"upcoming"`
	History  []core.Appointment `json:"history"`
}

// nonNil makes an empty list print as [] rather than null.
func nonNil(appts []core.Appointment) []core.Appointment {
	if appts == nil {
		return []core.Appointment{}
	}
	return appts
}

// printPatient prints a patient's details, one per line, or as JSON.
func printPatient(a *app, p core.Patient) error {
	if a.c.json {
		return table(a.e.stdout, true, p, nil, nil)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	rows := [][]string{
		{"ID", string(p.ID)},
		{"Name", p.Name},
		{"Born", string(p.DOB)},
		{"Sex", p.Sex},
		{"Phone", p.Phone},
		{"E-mail", p.Email},
		{"Address", p.Address},
		{"Emergency contact", p.EmergencyContact},
		{"Insurer", p.InsurerName},
		{"Insurance number", p.InsuranceNumber},
		{"Consents", fmt.Sprintf("SMS %s, e-mail %s, telemedicine %s, data sharing %s", yes(p.Consent.SMS), yes(p.Consent.Email), yes(p.Consent.Telemedicine), yes(p.Consent.DataSharing))},
	}
	return table(a.e.stdout, false, nil, nil, rows)
}

// patientEditCmd is clinic patient edit: change the details the flags
// name, keep the rest.
func (a *app) patientEditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "edit ID [--name N] [--dob D] [--phone P] [--email E] [--address A] [--emergency-contact C] [--insurer I] [--insurance-number N]",
		Short: "change a patient's details; the fields not given keep their value (give \"\" to clear one)",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	fields := []struct {
		name, help string
		of         func(p *core.Patient) *string
	}{
		{"name", "full name", func(p *core.Patient) *string { return &p.Name }},
		{"phone", "phone number", func(p *core.Patient) *string { return &p.Phone }},
		{"email", "e-mail address", func(p *core.Patient) *string { return &p.Email }},
		{"sex", "female, male, other or unknown", func(p *core.Patient) *string { return &p.Sex }},
		{"address", "postal address", func(p *core.Patient) *string { return &p.Address }},
		{"emergency-contact", "who to call in an emergency, and their number", func(p *core.Patient) *string { return &p.EmergencyContact }},
		{"insurer", "the insurer's name", func(p *core.Patient) *string { return &p.InsurerName }},
		{"insurance-number", "the patient's number with the insurer", func(p *core.Patient) *string { return &p.InsuranceNumber }},
	}
	values := make([]*string, len(fields))
	for i, fl := range fields {
		values[i] = f.String(fl.name, "", fl.help)
	}
	dob := f.String("dob", "", "date of birth, YYYY-MM-DD")
	sms := f.Bool("sms", false, "the patient consents to SMS (--sms=false withdraws it)")
	emailOK := f.Bool("email-consent", false, "the patient consents to e-mail (--email-consent=false withdraws it)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(fmt.Errorf("patient ID: %s", strip(err.Error())))
		}
		changed := false
		cmd.LocalFlags().VisitAll(func(fl *pflag.Flag) { changed = changed || fl.Changed })
		if !changed {
			return usagef("patient edit needs at least one field to change, like --phone or --address")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			p, err := s.Patient(id, "edited at the command line")
			if err != nil {
				return err
			}
			for i, fl := range fields {
				if cmd.Flags().Changed(fl.name) {
					*fl.of(&p) = *values[i]
				}
			}
			if cmd.Flags().Changed("dob") {
				p.DOB = core.Date(*dob)
			}
			if cmd.Flags().Changed("sms") {
				p.Consent.SMS = *sms
			}
			if cmd.Flags().Changed("email-consent") {
				p.Consent.Email = *emailOK
			}
			if p, err = s.UpdatePatient(p); err != nil {
				return err
			}
			return printPatient(a, p)
		})
	}
	return cmd
}
