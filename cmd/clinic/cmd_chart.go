package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// cliReason is what the access log records for a chart read from the
// command line.
func cliReason(cmd *cobra.Command, reason string) string {
	if reason != "" {
		return reason
	}
	return cmd.CommandPath()
}

// patientArg turns PATIENT, an ID or words that find exactly one patient,
// into the patient's ID.
func patientArg(s *store.Session, arg string) (core.ID, error) {
	if id := core.ID(arg); id.Bytes() != nil {
		return id, nil
	}
	found, err := s.FindPatients(arg, 5)
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: no patient matches %q", store.ErrNotFound, arg)
	case 1:
		return found[0].ID, nil
	}
	return "", usagef("%d or more patients match %q; give the patient's ID (clinic patient find %s)", len(found), arg, arg)
}

// created prints what a create command made: its ID, or the whole record
// with --json.
func (a *app) created(id core.ID, v any) error {
	if a.c.json {
		return table(a.e.stdout, true, v, nil, nil)
	}
	_, err := fmt.Fprintln(a.e.stdout, id)
	return err
}

// chartCmd is clinic chart.
func (a *app) chartCmd() *cobra.Command {
	return group("chart", "read a patient's chart", a.chartShowCmd(), a.chartBreakGlassCmd())
}

// chartShowCmd is clinic chart show PATIENT.
func (a *app) chartShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show PATIENT [--reason WHY]",
		Short: "the chart summary: allergies, active problems, medications, last vitals, upcoming visits",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "why you open the chart, for the access log (default: the command)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			c, err := s.Chart(id, cliReason(cmd, *reason))
			if err != nil {
				return noCare(err, args[0])
			}
			if a.c.json {
				return table(a.e.stdout, true, c, nil, nil)
			}
			return a.printSummary(a.e.stdout, c)
		})
	}
	return cmd
}

// printSummary writes the chart summary as plain text, allergies first.
func (a *app) printSummary(w io.Writer, c core.Chart) error {
	var b strings.Builder
	p := c.Patient
	fmt.Fprintf(&b, "%s  born %s  %s\n", core.SafeText(p.Name), p.DOB, p.ID)
	st, listed := c.AllergyState()
	switch st {
	case core.AllergiesListed:
		b.WriteString("ALLERGIES:\n")
		for _, al := range listed {
			fmt.Fprintf(&b, "  !! %s (%s) %s\n", core.SafeText(al.Substance), al.Severity, core.SafeText(al.Reaction))
		}
	default:
		fmt.Fprintf(&b, "ALLERGIES: %s\n", strings.ToUpper(st.String()))
	}
	b.WriteString("Active problems:\n")
	for _, pr := range c.ActiveProblems() {
		fmt.Fprintf(&b, "  %s %s%s\n", core.SafeText(pr.Description), core.SafeText(pr.Code), onset(pr.Onset))
	}
	b.WriteString("Current medications:\n")
	for _, m := range c.CurrentMedications() {
		fmt.Fprintf(&b, "  %s %s %s %s\n", core.SafeText(m.Drug), core.SafeText(m.Dose), m.Route, core.SafeText(m.Frequency))
	}
	b.WriteString("Last vitals:\n")
	for _, v := range c.LastVitals() {
		fmt.Fprintf(&b, "  %s %s %s (%s)\n", v.Metric, core.FormatValue(v.Value), v.Unit, v.TakenAt.In(a.e.zone()).Format("2 Jan 2006"))
	}
	b.WriteString("Upcoming appointments:\n")
	for _, ap := range c.Upcoming {
		fmt.Fprintf(&b, "  %s %s %s\n", ap.Start.In(a.e.zone()).Format("Mon 2 Jan 2006 15:04"), ap.Doctor, core.SafeText(ap.Reason))
	}
	fmt.Fprintf(&b, "Notes: %d  Vitals: %d  Prescriptions: %d\n", len(c.Notes), len(c.Vitals), len(c.Prescriptions))
	_, err := io.WriteString(w, b.String())
	return err
}

// onset is ", since DAY" or "".
func onset(d core.Date) string {
	if d == "" {
		return ""
	}
	return ", since " + string(d)
}

// allergyCmd is clinic allergy.
func (a *app) allergyCmd() *cobra.Command {
	return group("allergy", "record and list a patient's allergies", a.allergyAddCmd(), a.allergyNoneCmd(), a.allergyListCmd())
}

// allergyAddCmd is clinic allergy add PATIENT --substance … --severity ….
func (a *app) allergyAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add PATIENT --substance S --severity mild|moderate|severe|life_threatening [--reaction R]",
		Short: "record an allergy and print its ID",
		Args:  exactArgs(1),
	}
	al := core.Allergy{}
	f := cmd.Flags()
	f.StringVar(&al.Substance, "substance", "", "what the patient reacts to: a drug, a drug class (penicillins) or anything else (required)")
	f.StringVar(&al.Reaction, "reaction", "", "what happens (hives, anaphylaxis…)")
	sev := f.String("severity", "", "mild, moderate, severe or life_threatening (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		al.Severity = core.Severity(*sev)
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			al.PatientID = id
			added, err := s.AddAllergy(al)
			if err != nil {
				return err
			}
			return a.created(added.ID, added)
		})
	}
	return cmd
}

// allergyNoneCmd is clinic allergy none PATIENT.
func (a *app) allergyNoneCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "none PATIENT",
		Short: `record that the patient was asked and has no known allergies`,
		Args:  exactArgs(1),
	}
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			added, err := s.AddAllergy(core.Allergy{PatientID: id, NoneKnown: true})
			if err != nil {
				return err
			}
			return a.created(added.ID, added)
		})
	}
	return cmd
}

// allergyListCmd is clinic allergy list PATIENT.
func (a *app) allergyListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT",
		Short: `list a patient's allergies (or "no known allergies", or "not asked")`,
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "why you look, for the access log (default: the command)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			all, err := s.Allergies(id, cliReason(cmd, *reason))
			if err != nil {
				return err
			}
			st, listed := core.AllergyStateOf(all)
			if a.c.json {
				if listed == nil {
					listed = []core.Allergy{}
				}
				return table(a.e.stdout, true, struct {
					State     string         `json:"state"`
					Allergies []core.Allergy `json:"allergies"`
				}{st.String(), listed}, nil, nil)
			}
			if st != core.AllergiesListed {
				_, err := fmt.Fprintln(a.e.stdout, st)
				return err
			}
			rows := make([][]string, len(listed))
			for i, al := range listed {
				rows[i] = []string{string(al.ID), al.Substance, string(al.Severity), al.Reaction, al.RecordedBy}
			}
			return table(a.e.stdout, false, nil, []string{"ID", "SUBSTANCE", "SEVERITY", "REACTION", "RECORDED BY"}, rows)
		})
	}
	return cmd
}

// problemCmd is clinic problem.
func (a *app) problemCmd() *cobra.Command {
	return group("problem", "a patient's problem list", a.problemAddCmd(), a.problemListCmd(), a.problemResolveCmd())
}

// problemAddCmd is clinic problem add PATIENT --text ….
func (a *app) problemAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add PATIENT --text T [--code ICD10] [--onset YYYY-MM-DD]",
		Short: "put a problem on the list and print its ID",
		Args:  exactArgs(1),
	}
	p := core.Problem{}
	f := cmd.Flags()
	f.StringVar(&p.Description, "text", "", "the problem in words (required)")
	f.StringVar(&p.Code, "code", "", "ICD-10 code, such as E11.9")
	onsetDay := f.String("onset", "", "the day it began, YYYY-MM-DD")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		p.Onset = core.Date(*onsetDay)
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			p.PatientID = id
			added, err := s.AddProblem(p)
			if err != nil {
				return err
			}
			return a.created(added.ID, added)
		})
	}
	return cmd
}

// problemListCmd is clinic problem list PATIENT.
func (a *app) problemListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT",
		Short: "list a patient's problems, active and resolved",
		Args:  exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withChart(cmd, args[0], func(c core.Chart) error {
			out := c.Problems
			if out == nil {
				out = []core.Problem{}
			}
			rows := make([][]string, len(out))
			for i, p := range out {
				rows[i] = []string{string(p.ID), p.Description, p.Code, string(p.Onset), string(p.Status)}
			}
			return table(a.e.stdout, a.c.json, out, []string{"ID", "PROBLEM", "CODE", "ONSET", "STATUS"}, rows)
		})
	}
	return cmd
}

// problemResolveCmd is clinic problem resolve ID.
func (a *app) problemResolveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resolve ID [--active]",
		Short: "mark a problem resolved (or, with --active, active again)",
		Args:  exactArgs(1),
	}
	active := cmd.Flags().Bool("active", false, "make a resolved problem active again (a relapse)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		to := core.ProblemResolved
		if *active {
			to = core.ProblemActive
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			p, err := s.SetProblemStatus(core.ID(args[0]), to)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, p, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "%s %s\n", p.ID, p.Status)
			return err
		})
	}
	return cmd
}

// chartBreakGlassCmd is clinic chart break-glass PATIENT --reason ….
func (a *app) chartBreakGlassCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "break-glass PATIENT --reason WHY",
		Short: "open the chart of a patient you have no care relationship with, for 4 hours; logged and reviewed",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "why you need this chart (required; admins review it)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			until, err := s.BreakGlass(id, *reason)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.e.stdout, "chart of %s open to you until %s; the access is logged for review\n", id, until.In(a.e.zone()).Format("Mon 2 Jan 15:04"))
			return err
		})
	}
	return cmd
}

// noCare adds to a refusal for want of a care relationship what to do.
func noCare(err error, patient string) error {
	if errors.Is(err, core.ErrNoRelationship) {
		return fmt.Errorf("%w (clinic chart break-glass %s --reason WHY)", err, patient)
	}
	return err
}

// auditReviewCmd is clinic audit review.
func (a *app) auditReviewCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "review",
		Short: "list the break-the-glass accesses to review, newest first (admins)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				list, err := s.AuditReview()
				if err != nil {
					return err
				}
				rows := make([][]string, len(list))
				for i, e := range list {
					rows[i] = []string{e.At.In(a.e.zone()).Format("2006-01-02 15:04"), e.User, string(e.Role), string(e.PatientID), e.Reason}
				}
				return table(a.e.stdout, a.c.json, orEmpty(list), []string{"WHEN", "USER", "ROLE", "PATIENT", "REASON"}, rows)
			})
		},
	}
}

// withChart logs in, finds the patient named by arg and reads their chart
// for cmd's reason, then hands it to fn: the list commands of the chart.
func (a *app) withChart(cmd *cobra.Command, arg string, fn func(c core.Chart) error) error {
	return a.withSession(func(_ *store.DB, s *store.Session) error {
		id, err := patientArg(s, arg)
		if err != nil {
			return err
		}
		c, err := s.Chart(id, cliReason(cmd, ""))
		if err != nil {
			return err
		}
		return fn(c)
	})
}
