package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// noteCmd is clinic note.
func (a *app) noteCmd() *cobra.Command {
	return group("note", "write, sign and correct SOAP notes", a.noteAddCmd(), a.noteListCmd(), a.noteSignCmd(), a.noteAddendumCmd())
}

// soapHeads are the headings a --from file may use for each part.
var soapHeads = map[string]int{
	"s": 0, "subjective": 0, "o": 1, "objective": 1, "a": 2, "assessment": 2, "p": 3, "plan": 3,
}

// parseSOAP reads a note written as "Subjective:" … "Plan:" sections (or
// "S:" … "P:"); text before the first heading is subjective.
func parseSOAP(text string) [4]string {
	var parts [4][]string
	cur := 0
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if head, rest, ok := strings.Cut(line, ":"); ok {
			if i, known := soapHeads[strings.ToLower(strings.TrimSpace(head))]; known {
				cur = i
				line = strings.TrimSpace(rest)
				if line == "" {
					continue
				}
			}
		}
		parts[cur] = append(parts[cur], line)
	}
	var out [4]string
	for i, p := range parts {
		out[i] = strings.TrimSpace(strings.Join(p, "\n"))
	}
	return out
}

// noteAddCmd is clinic note add PATIENT.
func (a *app) noteAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add PATIENT (--subjective S --objective O --assessment A --plan P | --from FILE) [--sign]",
		Short: "write a note as a draft (or sign it at once with --sign) and print its ID",
		Args:  exactArgs(1),
	}
	var parts [4]string
	f := cmd.Flags()
	f.StringVar(&parts[0], "subjective", "", "what the patient reports")
	f.StringVar(&parts[1], "objective", "", "what you found")
	f.StringVar(&parts[2], "assessment", "", "what you think it is")
	f.StringVar(&parts[3], "plan", "", "what happens next")
	from := f.String("from", "", "read the note from `FILE` (sections Subjective:, Objective:, Assessment:, Plan:)")
	sign := f.Bool("sign", false, "sign the note at once (it cannot be changed afterwards)")
	appt := f.String("appointment", "", "the appointment `ID` the note is for")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *from != "" {
			if parts != [4]string{} {
				return usagef("give the note in --from FILE or in the part flags, not both")
			}
			raw, err := os.ReadFile(*from)
			if err != nil {
				return usagef("cannot read %s", *from)
			}
			parts = parseSOAP(string(raw))
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			id, err := patientArg(s, args[0])
			if err != nil {
				return err
			}
			d, err := s.SaveDraft(core.NoteDraft{PatientID: id, AppointmentID: core.ID(*appt), Subjective: parts[0], Objective: parts[1], Assessment: parts[2], Plan: parts[3]})
			if err != nil {
				return err
			}
			if !*sign {
				return a.created(d.ID, d)
			}
			n, err := s.SignNote(d.ID)
			if err != nil {
				return err
			}
			return a.created(n.ID, n)
		})
	}
	return cmd
}

// noteListCmd is clinic note list PATIENT.
func (a *app) noteListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list PATIENT",
		Short: "list a patient's signed notes with their addenda, and your drafts",
		Args:  exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withChart(cmd, args[0], func(c core.Chart) error {
			if a.c.json {
				return table(a.e.stdout, true, struct {
					Notes   []core.Note      `json:"notes"`
					Addenda []core.Addendum  `json:"addenda"`
					Drafts  []core.NoteDraft `json:"drafts"`
				}{orEmpty(c.Notes), orEmpty(c.Addenda), orEmpty(c.Drafts)}, nil, nil)
			}
			var rows [][]string
			when := func(m core.Meta) string { return m.CreatedAt.In(a.e.zone()).Format("2006-01-02 15:04") }
			for _, d := range c.Drafts {
				rows = append(rows, []string{string(d.ID), when(d.Meta), "draft", d.Author, firstLine(d.Subjective, d.Assessment)})
			}
			for _, n := range c.Notes {
				rows = append(rows, []string{string(n.ID), when(n.Meta), "signed", n.Author, firstLine(n.Subjective, n.Assessment)})
				for _, ad := range c.AddendaOf(n.ID) {
					rows = append(rows, []string{string(ad.ID), when(ad.Meta), "addendum", ad.Author, firstLine(ad.Text)})
				}
			}
			return table(a.e.stdout, false, nil, []string{"ID", "WHEN", "STATE", "AUTHOR", "TEXT"}, rows)
		})
	}
	return cmd
}

// orEmpty is list, or an empty list for JSON's [] instead of null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// firstLine is the first line of the first non-empty text, cut to 60
// characters for a table.
func firstLine(texts ...string) string {
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			line, _, _ := strings.Cut(t, "\n")
			return clipText(line, 60)
		}
	}
	return ""
}

// clipText cuts s to n characters with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// noteSignCmd is clinic note sign ID.
func (a *app) noteSignCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sign ID",
		Short: "sign your draft; from then on it is corrected only by addenda",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				n, err := s.SignNote(core.ID(args[0]))
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, n, nil, nil)
				}
				_, err = fmt.Fprintf(a.e.stdout, "%s signed\n", n.ID)
				return err
			})
		},
	}
}

// noteAddendumCmd is clinic note addendum ID --text ….
func (a *app) noteAddendumCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "addendum ID --text T",
		Short: "add to a signed note (the only way to correct one) and print the addendum's ID",
		Args:  exactArgs(1),
	}
	text := cmd.Flags().String("text", "", "the addendum (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			ad, err := s.AddAddendum(core.ID(args[0]), *text)
			if err != nil {
				return err
			}
			return a.created(ad.ID, ad)
		})
	}
	return cmd
}
