package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// teleCmd is clinic tele.
func (a *app) teleCmd() *cobra.Command {
	return group("tele", "telemedicine: video consultations for appointments, with a join link sent to the patient",
		a.teleBookCmd(), a.teleMoveCmd("start", "start the session (scheduled → live)", (*store.Session).StartTelesession),
		a.teleMoveCmd("end", "end the session (live → ended) and record how long it lasted", (*store.Session).EndTelesession),
		a.teleMoveCmd("cancel", "cancel a session that has not started; an unsent link is not sent", (*store.Session).CancelTelesession),
		a.teleListCmd())
}

// teleBookCmd is clinic tele book APPT_ID.
func (a *app) teleBookCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "book APPT_ID [--json]",
		Short: "make the appointment a video consultation (the patient must have agreed to telemedicine); prints the session's ID",
		Long: `book: the join link is the clinic's video provider (clinic notify config --tele-url) and a
random room. It goes to the patient by SMS and e-mail where they agreed. Exit 3 without consent.`,
		Args: exactArgs(1),
	}
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(err)
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			ts, err := s.BookTelesession(id)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, ts, nil, nil)
			}
			_, err = fmt.Fprintf(a.e.stdout, "%s\njoin: %s\n", ts.ID, ts.JoinURL)
			return err
		})
	}
	return cmd
}

// teleMoveCmd is clinic tele start|end|cancel ID.
func (a *app) teleMoveCmd(name, short string, move func(*store.Session, core.ID) (core.Telesession, error)) *cobra.Command {
	cmd := &cobra.Command{Use: name + " ID [--json]", Short: short, Args: exactArgs(1)}
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(err)
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			ts, err := move(s, id)
			if err != nil {
				return err
			}
			if a.c.json {
				return table(a.e.stdout, true, ts, nil, nil)
			}
			line := fmt.Sprintf("%s %s", ts.ID, ts.Status)
			switch ts.Status {
			case core.TelesessionLive:
				line += " at " + ts.StartedAt.In(a.e.zone()).Format("15:04") + "; join: " + ts.JoinURL
			case core.TelesessionEnded:
				line += fmt.Sprintf(" after %s", ts.Duration().Round(time.Second))
			}
			_, err = fmt.Fprintln(a.e.stdout, line)
			return err
		})
	}
	return cmd
}

// teleListCmd is clinic tele list.
func (a *app) teleListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--date YYYY-MM-DD] [--doctor USER] [--json]",
		Short: "a day's video sessions",
		Args:  noArgs,
	}
	date := cmd.Flags().String("date", "", "day, YYYY-MM-DD (default today)")
	doctor := cmd.Flags().String("doctor", "", "only this doctor")
	cmd.RunE = func(*cobra.Command, []string) error {
		return a.withSession(func(db *store.DB, s *store.Session) error {
			day := core.DateOf(a.e.now(), db.Zone())
			if *date != "" {
				var err error
				if day, err = core.ParseDate(*date); err != nil {
					return usageErr(fmt.Errorf("--date: %s", strip(err.Error())))
				}
			}
			list, err := s.Telesessions(day, *doctor)
			if err != nil {
				return err
			}
			rows := make([][]string, len(list))
			for i, ts := range list {
				took := ""
				if d := ts.Duration(); d > 0 {
					took = d.Round(time.Second).String()
				}
				rows[i] = []string{string(ts.ID), ts.ScheduledAt.In(db.Zone()).Format("15:04"), ts.Doctor, string(ts.Status), took, ts.JoinURL}
			}
			if list == nil {
				list = []core.Telesession{}
			}
			return table(a.e.stdout, a.c.json, list, []string{"ID", "TIME", "DOCTOR", "STATUS", "LASTED", "LINK"}, rows)
		})
	}
	return cmd
}
