package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// refillCmd is clinic refill.
func (a *app) refillCmd() *cobra.Command {
	return group("refill", "refill requests: request, list, approve, deny, resolve a double approval",
		a.refillRequestCmd(), a.refillListCmd(), a.refillDecideCmd(true), a.refillDecideCmd(false), a.refillResolveCmd())
}

// refillRequestCmd is clinic refill request RX_ID.
func (a *app) refillRequestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "request RX_ID [--drug N]",
		Short: "ask a doctor to refill a prescription and print the request's ID",
		Args:  exactArgs(1),
	}
	drug := cmd.Flags().Int("drug", 1, "which drug of the prescription, counting from 1")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			r, err := s.RequestRefill(core.ID(args[0]), *drug-1)
			if err != nil {
				return err
			}
			return a.created(r.ID, r)
		})
	}
	return cmd
}

// refillListCmd is clinic refill list.
func (a *app) refillListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--pending]",
		Short: "list refill requests, newest first",
		Args:  noArgs,
	}
	pending := cmd.Flags().Bool("pending", false, "only requests waiting for a decision")
	cmd.RunE = func(_ *cobra.Command, _ []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			list, err := s.Refills(*pending)
			if err != nil {
				return err
			}
			twice := map[core.ID]bool{}
			if conflicts, err := s.Conflicts(); err == nil {
				for _, c := range conflicts {
					if c.On == core.ConflictOnRefill {
						twice[c.Refill] = true
					}
				}
			}
			rows := make([][]string, len(list))
			for i, r := range list {
				state := string(r.Status)
				if twice[r.ID] {
					state += " TWICE (conflict)"
				}
				rows[i] = []string{string(r.ID), r.CreatedAt.In(a.e.zone()).Format("2006-01-02 15:04"), string(r.PrescriptionID), state, r.RequestedBy, strings.TrimSpace(r.DecidedBy + " " + r.DecisionNote)}
			}
			return table(a.e.stdout, a.c.json, orEmpty(list), []string{"ID", "ASKED", "PRESCRIPTION", "STATUS", "BY", "DECISION"}, rows)
		})
	}
	return cmd
}

// refillDecideCmd is clinic refill approve ID or clinic refill deny ID
// --reason ….
func (a *app) refillDecideCmd(approve bool) *cobra.Command {
	cmd := &cobra.Command{Use: "approve ID [--note N]", Short: "approve a refill (uses one of the prescription's refills)", Args: exactArgs(1)}
	flag, usage := "note", "a note for the request"
	if !approve {
		cmd.Use, cmd.Short = "deny ID --reason WHY", "deny a refill, saying why"
		flag, usage = "reason", "why it is denied (required)"
	}
	note := cmd.Flags().String(flag, "", usage)
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			r, err := s.DecideRefill(core.ID(args[0]), approve, *note)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, r, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "%s %s\n", r.ID, r.Status)
			return err
		})
	}
	return cmd
}

// refillResolveCmd is clinic refill resolve ID --reason ….
func (a *app) refillResolveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resolve ID --reason HOW [--both]",
		Short: "settle a refill approved twice on two workstations: the second dispensing recalled, or --both dispensed",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "", "how it was settled, such as the second bottle recalled (required)")
	both := cmd.Flags().Bool("both", false, "both dispensings stand: count the second as one more refill used")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			if err := s.ResolveRefillConflict(core.ID(args[0]), *both, *reason); err != nil {
				return err
			}
			_, err := fmt.Fprintf(a.e.stdout, "%s resolved\n", args[0])
			return err
		})
	}
	return cmd
}

// reminderCmd is clinic reminder.
func (a *app) reminderCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add RX_ID --times 08:00,20:00",
		Short: "remind the patient to take a prescription at times of day and print the reminder's ID",
		Args:  exactArgs(1),
	}
	times := cmd.Flags().String("times", "", "times of day, HH:MM, comma-separated (required)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		var list []string
		for _, t := range strings.Split(*times, ",") {
			if t = strings.TrimSpace(t); t != "" {
				list = append(list, t)
			}
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			r, err := s.AddReminder(core.ID(args[0]), list)
			if err != nil {
				return err
			}
			return a.created(r.ID, r)
		})
	}
	return group("reminder", "medication reminders", cmd)
}

// adherenceCmd is clinic adherence record REMINDER_ID taken|missed|late.
func (a *app) adherenceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record REMINDER_ID taken|missed|late",
		Short: "record whether the latest dose due was taken and print the event's ID",
		Args:  exactArgs(2),
	}
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			ev, err := s.RecordAdherence(core.ID(args[0]), args[1])
			if err != nil {
				return err
			}
			return a.created(ev.ID, ev)
		})
	}
	return group("adherence", "record doses taken, missed or late", cmd)
}
