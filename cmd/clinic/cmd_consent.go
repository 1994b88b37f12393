package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// consentCmd is clinic consent.
func (a *app) consentCmd() *cobra.Command {
	return group("consent", "record and show a patient's consent to SMS, e-mail, telemedicine and data sharing", a.consentSetCmd(), a.consentShowCmd())
}

// consentFlags are the flag names of the consent types the commands take.
var consentFlags = []struct {
	flag string
	ty   core.ConsentType
}{
	{"sms", core.ConsentSMS}, {"email", core.ConsentEmail}, {"telemedicine", core.ConsentTelemedicine}, {"data-sharing", core.ConsentDataSharing},
}

// consentSetCmd is clinic consent set PATIENT.
func (a *app) consentSetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set PATIENT [--sms yes|no] [--email yes|no] [--telemedicine yes|no] [--data-sharing yes|no] --how verbal|written|portal",
		Short: "record the patient's decisions (one record each, with you, now and how) and print their IDs",
		Args:  exactArgs(1),
	}
	answers := make([]*string, len(consentFlags))
	for i, cf := range consentFlags {
		answers[i] = cmd.Flags().String(cf.flag, "", "yes to grant, no to withdraw")
	}
	how := cmd.Flags().String("how", "", "how the patient told you: verbal, written or portal (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		decisions := map[core.ConsentType]bool{}
		for i, cf := range consentFlags {
			switch strings.ToLower(*answers[i]) {
			case "":
			case "yes":
				decisions[cf.ty] = true
			case "no":
				decisions[cf.ty] = false
			default:
				return usagef("--%s takes yes or no, not %q", cf.flag, *answers[i])
			}
		}
		if len(decisions) == 0 {
			return usagef("give at least one of --sms, --email, --telemedicine, --data-sharing (yes or no)")
		}
		method := core.ConsentMethod(*how)
		if !method.Valid() {
			return usagef("give --how verbal, written or portal")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			recs, err := s.SetConsent(id, decisions, method)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, recs, nil, nil)
			}
			var b strings.Builder
			for _, c := range recs {
				fmt.Fprintln(&b, c.ID)
			}
			_, err = fmt.Fprint(a.e.stdout, b.String())
			return err
		})
	}
	return cmd
}

// consentShowCmd is clinic consent show PATIENT.
func (a *app) consentShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show PATIENT [--json]",
		Short: "what the patient agrees to today, and every decision recorded",
		Args:  exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			v, err := s.Consents(id, cliReason(cmd, ""))
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, v, nil, nil)
			}
			return a.printConsent(v)
		})
	}
	return cmd
}

// printConsent writes today's consent per channel and the history.
func (a *app) printConsent(v store.ConsentView) error {
	cur := map[core.ConsentType]bool{
		core.ConsentSMS: v.Current.SMS, core.ConsentEmail: v.Current.Email,
		core.ConsentTelemedicine: v.Current.Telemedicine, core.ConsentDataSharing: v.Current.DataSharing,
	}
	var rows [][]string
	for _, cf := range consentFlags {
		rows = append(rows, []string{cf.flag, map[bool]string{true: "yes", false: "no"}[cur[cf.ty]]})
	}
	if _, err := fmt.Fprintf(a.e.stdout, "%s  born %s  %s\n", core.SafeText(v.Patient.Name), v.Patient.DOB, v.Patient.ID); err != nil {
		return err
	}
	if err := table(a.e.stdout, false, nil, []string{"CHANNEL", "TODAY"}, rows); err != nil {
		return err
	}
	if len(v.History) == 0 {
		_, err := fmt.Fprintln(a.e.stdout, "\nno decisions recorded (only the flags set at registration)")
		return err
	}
	rows = nil
	for _, c := range v.History {
		rows = append(rows, []string{c.RecordedAt.In(a.e.zone()).Format("2006-01-02 15:04"), string(c.Type), map[bool]string{true: "granted", false: "withdrawn"}[c.Granted], string(c.Method), c.RecordedBy})
	}
	if _, err := fmt.Fprintln(a.e.stdout, "\nHistory:"); err != nil {
		return err
	}
	return table(a.e.stdout, false, nil, []string{"WHEN", "TYPE", "DECISION", "HOW", "BY"}, rows)
}
