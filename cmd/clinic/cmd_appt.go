package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
)

// apptCmd is clinic appt: book, list, cancel appointments and change
// their status.
func (a *app) apptCmd() *cobra.Command {
	return group("appt", "book, list, cancel appointments and change their status",
		a.apptBookCmd(), a.apptMoveCmd(), a.apptListCmd(), a.apptCancelCmd(), a.apptStatusCmd())
}

// apptBookCmd is clinic appt book; a clash exits 3 naming the next free
// slot.
func (a *app) apptBookCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "book --patient ID --doctor USER --at \"YYYY-MM-DD HH:MM\" [--minutes N] [--room R]",
		Short: "book an appointment and print its ID",
		Args:  noArgs,
	}
	f := cmd.Flags()
	patient := f.String("patient", "", "patient ID (required)")
	doctor := f.String("doctor", "", "doctor's user name (required)")
	at := f.String("at", "", "start, \"YYYY-MM-DD HH:MM\" in the clinic's zone (required)")
	minutes := f.Int("minutes", 0, "length in minutes (default: the doctor's slot length)")
	room := f.String("room", "", "room")
	reason := f.String("reason", "", "reason for the visit")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *patient == "" || *doctor == "" || *at == "" {
			return usagef("appt book needs --patient, --doctor and --at")
		}
		pid, err := core.ParseID(*patient)
		if err != nil {
			return usageErr(fmt.Errorf("--patient: %s", strip(err.Error())))
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			start, err := parseWhen(*at, db.Zone())
			if err != nil {
				return usageErr(err)
			}
			n, err := slotMinutes(s, *doctor, *minutes)
			if err != nil {
				return err
			}
			b, err := s.Book(core.Appointment{PatientID: pid, Doctor: *doctor, Start: start, Minutes: n, Room: *room, Reason: *reason})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "%s\n", b.ID)
			return nil
		})
	}
	return cmd
}

// slotMinutes is the length asked for, or when none was, the doctor's
// usual slot length. A doctor without hours gets a length all the same:
// booking then says they have no working hours, which is what matters.
func slotMinutes(s *store.Session, doctor string, asked int) (int, error) {
	if asked != 0 {
		return asked, nil
	}
	sc, err := s.Schedule(doctor)
	switch {
	case errors.Is(err, store.ErrNoSchedule):
		return 15, nil
	case err != nil:
		return 0, err
	}
	return sc.SlotMinutes, nil
}

// apptMoveCmd is clinic appt move: a new time, length or room for a
// booked appointment; a clash exits 3 naming the next free slot.
func (a *app) apptMoveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "move ID --at \"YYYY-MM-DD HH:MM\" [--minutes N] [--room R]",
		Short: "move an appointment to another time (or length, or room)",
		Args:  exactArgs(1),
	}
	f := cmd.Flags()
	at := f.String("at", "", "new start, \"YYYY-MM-DD HH:MM\" in the clinic's zone (required)")
	minutes := f.Int("minutes", 0, "new length in minutes (default: the length it has)")
	room := f.String("room", "", "new room (default: the same room)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *at == "" {
			return usagef("appt move needs --at \"YYYY-MM-DD HH:MM\"")
		}
		id, err := core.ParseID(args[0])
		if err != nil {
			return usageErr(fmt.Errorf("appointment ID: %s", strip(err.Error())))
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			start, err := parseWhen(*at, db.Zone())
			if err != nil {
				return usageErr(err)
			}
			old, err := s.Appointment(id)
			if err != nil {
				return err
			}
			n := old.Minutes
			if *minutes != 0 {
				n = *minutes
			}
			r := old.Room
			if cmd.Flags().Changed("room") {
				r = *room
			}
			moved, err := s.Move(id, start, n, r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "%s moved to %s, %d minutes\n", moved.ID, moved.Start.In(db.Zone()).Format("Mon 2 Jan 2006 15:04"), moved.Minutes)
			return nil
		})
	}
	return cmd
}

// parseWhen reads "YYYY-MM-DD HH:MM" (or with a T) in the clinic's zone,
// or an RFC 3339 time.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time like \"2026-11-27 09:30\"", s)
}

// apptListCmd is clinic appt list: a day's appointments.
func (a *app) apptListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [--date YYYY-MM-DD] [--doctor USER]",
		Short: "print a day's appointments",
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
			appts, err := s.Appointments(day, *doctor)
			if err != nil {
				return err
			}
			ids := make([]core.ID, len(appts))
			for i, ap := range appts {
				ids[i] = ap.PatientID
			}
			names, err := s.PatientNames(ids)
			if err != nil {
				return err
			}
			rows := make([][]string, len(appts))
			for i, ap := range appts {
				rows[i] = []string{string(ap.ID), ap.Start.In(db.Zone()).Format("15:04"), fmt.Sprint(ap.Minutes), ap.Doctor, names[ap.PatientID], ap.Room, string(ap.Status)}
			}
			if appts == nil {
				appts = []core.Appointment{}
			}
			return table(a.e.stdout, a.c.json, appts, []string{"ID", "TIME", "MIN", "DOCTOR", "PATIENT", "ROOM", "STATUS"}, rows)
		})
	}
	return cmd
}

// apptCancelCmd is clinic appt cancel: cancel with a reason.
func (a *app) apptCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel [--reason TEXT] ID",
		Short: "cancel an appointment",
		Args:  exactArgs(1),
	}
	reason := cmd.Flags().String("reason", "cancelled at the desk", "why it is cancelled")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		return a.setStatus(args[0], core.ApptCancelled, *reason)
	}
	return cmd
}

// apptStatusCmd is clinic appt status: move an appointment to a new
// status.
func (a *app) apptStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status ID STATUS (checked_in, in_progress, completed, no_show, cancelled)",
		Short: "change an appointment's status",
		Args:  exactArgs(2),
	}
	reason := cmd.Flags().String("reason", "", "reason (required to cancel)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		st, err := core.ParseAppointmentStatus(args[1])
		if err != nil {
			return usageErr(err)
		}
		return a.setStatus(args[0], st, *reason)
	}
	return cmd
}

// setStatus applies one status change.
func (a *app) setStatus(id string, to core.AppointmentStatus, reason string) error {
	aid, err := core.ParseID(id)
	if err != nil {
		return usageErr(err)
	}
	return a.withSession(func(_ *store.DB, s *store.Session) error {
		ap, err := s.SetStatus(aid, to, reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.e.stdout, "%s is now %s\n", ap.ID, ap.Status)
		return nil
	})
}
