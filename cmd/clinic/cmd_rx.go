package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// rxCmd is clinic rx.
func (a *app) rxCmd() *cobra.Command {
	return group("rx", "prescribe with safety checks, list and cancel prescriptions", a.rxAddCmd(), a.rxListCmd(), a.rxCancelCmd())
}

// rxAddCmd is clinic rx add PATIENT --drug … .
func (a *app) rxAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   `add PATIENT --drug D --dose "500 mg" --route oral --frequency "3 times a day" --days N --quantity N [--refills N] [--override REASON]`,
		Short: "prescribe after the safety checks (allergy, duplicate, dose, interaction) and print the prescription's ID",
		Long: `Prescribe one drug. Before saving, the prescription is checked offline against the
formulary shipped with the workstation: allergies (including cross-reactive classes such
as penicillins and cephalosporins), the same drug or class already taken, the adult dose
range for the route and the day's total, and major interactions with current medications.
A hit exits 3 and names it; give --override REASON to prescribe anyway, and the reason is
saved with the alerts on the prescription.`,
		Args: exactArgs(1),
	}
	d := core.PrescribedDrug{}
	f := cmd.Flags()
	f.StringVar(&d.Drug, "drug", "", "generic name, such as amoxicillin (required)")
	f.StringVar(&d.Dose, "dose", "", `one dose with its unit, such as "500 mg" (required)`)
	route := f.String("route", "oral", "oral, iv, im, sc, topical, inhaled, rectal, sublingual or other")
	f.StringVar(&d.Frequency, "frequency", "", `how often, such as "3 times a day" or "every 8 hours" (required)`)
	days := f.Int("days", 0, "how many days it is taken (0: until stopped)")
	f.IntVar(&d.Quantity, "quantity", 0, "how many units to dispense (required)")
	f.IntVar(&d.RefillsAllowed, "refills", 0, "how many refills are allowed")
	override := f.String("override", "", "why you prescribe despite the safety alerts (recorded with them)")
	notes := f.String("notes", "", "instructions for the patient or pharmacist")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *days < 0 {
			return usagef("--days must be 0 or more")
		}
		d.Route = core.Route(*route)
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			p := core.Prescription{PatientID: id, Medications: []core.PrescribedDrug{d}, Notes: *notes}
			if *days > 0 {
				p.StartDate = core.DateOf(a.e.now(), a.e.zone())
				p.EndDate = p.StartDate.AddDays(*days - 1)
			}
			saved, err := s.Prescribe(p, *override)
			var se *core.SafetyError
			if errors.As(err, &se) {
				return fmt.Errorf("%w; to prescribe anyway give --override REASON", err)
			}
			if err != nil {
				return err
			}
			if !a.c.json {
				for _, al := range saved.Alerts {
					fmt.Fprintf(a.e.stderr, "clinic: overridden %s\n", core.SafeText(al.String()))
				}
			}
			return a.created(saved.ID, saved)
		})
	}
	return cmd
}

// rxListCmd is clinic rx list PATIENT.
func (a *app) rxListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT [--all]",
		Short: "list a patient's active prescriptions (--all: every one), with overridden alerts",
		Args:  exactArgs(1),
	}
	all := cmd.Flags().Bool("all", false, "include completed and cancelled prescriptions")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withChart(cmd, args[0], func(c core.Chart) error {
			list := []core.Prescription{}
			for _, p := range c.Prescriptions {
				if *all || p.Status == core.PrescriptionActive {
					list = append(list, p)
				}
			}
			var rows [][]string
			for _, p := range list {
				for _, d := range p.Medications {
					rows = append(rows, []string{string(p.ID), string(p.StartDate), string(p.Status), d.Drug, d.Dose, string(d.Route), d.Frequency,
						fmt.Sprintf("%d/%d", d.RefillsUsed, d.RefillsAllowed), overrideNote(p)})
				}
			}
			return table(a.e.stdout, a.c.json, list, []string{"ID", "START", "STATUS", "DRUG", "DOSE", "ROUTE", "FREQUENCY", "REFILLS", "OVERRIDE"}, rows)
		})
	}
	return cmd
}

// overrideNote is "allergy, dose: REASON" for a prescription saved over
// alerts, "" for one that passed every check.
func overrideNote(p core.Prescription) string {
	if len(p.Alerts) == 0 {
		return ""
	}
	var checks []string
	for _, a := range p.Alerts {
		checks = append(checks, string(a.Check))
	}
	return strings.Join(checks, ", ") + ": " + p.Override
}

// rxCancelCmd is clinic rx cancel ID --reason ….
func (a *app) rxCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel ID --reason WHY",
		Short: "stop an active prescription",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "why it is stopped (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			p, err := s.CancelPrescription(core.ID(args[0]), *reason)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, p, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "%s cancelled\n", p.ID)
			return err
		})
	}
	return cmd
}
