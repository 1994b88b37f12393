package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medisecure/core"
)

// cmdAppt books, lists, cancels and moves appointments through statuses.
func cmdAppt(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("appt needs a subcommand: book, list, cancel or status")
	}
	switch args[0] {
	case "book":
		return apptBook(e, args[1:])
	case "list":
		return apptList(e, args[1:])
	case "cancel":
		return apptCancel(e, args[1:])
	case "status":
		return apptStatus(e, args[1:])
	}
	return usagef("unknown appt subcommand %q (book, list, cancel or status)", args[0])
}

// apptBook books an appointment; a clash exits 3 naming the next free slot.
func apptBook(e *env, args []string) error {
	var c common
	fs := e.flags("appt book", "appt book --patient ID --doctor USER --at \"YYYY-MM-DD HH:MM\" --minutes N [--room R]", &c)
	patient := fs.String("patient", "", "patient ID (required)")
	doctor := fs.String("doctor", "", "doctor's user name (required)")
	at := fs.String("at", "", "start, \"YYYY-MM-DD HH:MM\" in the clinic's zone (required)")
	minutes := fs.Int("minutes", 15, "length in minutes")
	room := fs.String("room", "", "room")
	reason := fs.String("reason", "", "reason for the visit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *patient == "" || *doctor == "" || *at == "" {
		return usagef("appt book needs --patient, --doctor and --at")
	}
	pid, err := core.ParseID(*patient)
	if err != nil {
		return usageErr(fmt.Errorf("--patient: %s", strip(err.Error())))
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	start, err := parseWhen(*at, db.Zone())
	if err != nil {
		return usageErr(err)
	}
	a, err := s.Book(core.Appointment{PatientID: pid, Doctor: *doctor, Start: start, Minutes: *minutes, Room: *room, Reason: *reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", a.ID)
	return nil
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

// apptList prints a day's appointments.
func apptList(e *env, args []string) error {
	var c common
	fs := e.flags("appt list", "appt list [--date YYYY-MM-DD] [--doctor USER]", &c)
	date := fs.String("date", "", "day, YYYY-MM-DD (default today)")
	doctor := fs.String("doctor", "", "only this doctor")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	day := core.DateOf(e.now(), db.Zone())
	if *date != "" {
		if day, err = core.ParseDate(*date); err != nil {
			return usageErr(fmt.Errorf("--date: %s", strip(err.Error())))
		}
	}
	appts, err := s.Appointments(day, *doctor)
	if err != nil {
		return err
	}
	ids := make([]core.ID, len(appts))
	for i, a := range appts {
		ids[i] = a.PatientID
	}
	names, err := s.PatientNames(ids)
	if err != nil {
		return err
	}
	rows := make([][]string, len(appts))
	for i, a := range appts {
		rows[i] = []string{string(a.ID), a.Start.In(db.Zone()).Format("15:04"), fmt.Sprint(a.Minutes), a.Doctor, names[a.PatientID], a.Room, string(a.Status)}
	}
	if appts == nil {
		appts = []core.Appointment{}
	}
	return table(e.stdout, c.json, appts, []string{"ID", "TIME", "MIN", "DOCTOR", "PATIENT", "ROOM", "STATUS"}, rows)
}

// apptCancel cancels an appointment with a reason.
func apptCancel(e *env, args []string) error {
	var c common
	fs := e.flags("appt cancel", "appt cancel [--reason TEXT] ID", &c)
	reason := fs.String("reason", "cancelled at the desk", "why it is cancelled")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: clinic appt cancel [--reason TEXT] ID")
	}
	return setStatus(e, &c, fs.Arg(0), core.ApptCancelled, *reason)
}

// apptStatus moves an appointment to a new status.
func apptStatus(e *env, args []string) error {
	var c common
	fs := e.flags("appt status", "appt status ID STATUS (checked_in, in_progress, completed, no_show, cancelled)", &c)
	reason := fs.String("reason", "", "reason (required to cancel)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("usage: clinic appt status ID STATUS")
	}
	st, err := core.ParseAppointmentStatus(fs.Arg(1))
	if err != nil {
		return usageErr(err)
	}
	return setStatus(e, &c, fs.Arg(0), st, *reason)
}

// setStatus opens the store and applies one status change.
func setStatus(e *env, c *common, id string, to core.AppointmentStatus, reason string) error {
	aid, err := core.ParseID(id)
	if err != nil {
		return usageErr(err)
	}
	db, s, err := e.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := s.SetStatus(aid, to, reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s\n", a.ID, a.Status)
	return nil
}
