package main

import (
	"context"
	"fmt"
	"strings"

	"medisecure/core"
)

// cmdPatient registers or finds patients.
func cmdPatient(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("patient needs a subcommand: add or find")
	}
	var c common
	switch args[0] {
	case "add":
		fs := e.flags("patient add", "patient add --name NAME --dob YYYY-MM-DD [--phone P] [--email E]", &c)
		p := core.Patient{}
		fs.StringVar(&p.Name, "name", "", "full name (required)")
		dob := fs.String("dob", "", "date of birth, YYYY-MM-DD (required)")
		fs.StringVar(&p.Phone, "phone", "", "phone number")
		fs.StringVar(&p.Email, "email", "", "e-mail address")
		fs.StringVar(&p.Sex, "sex", "", "female, male, other or unknown")
		sms := fs.Bool("sms", false, "the patient consents to SMS")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 0 {
			return usagef("patient add takes no arguments besides flags (quote names with spaces)")
		}
		p.DOB, p.Consent.SMS = core.Date(*dob), *sms
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		p, err = s.AddPatient(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", p.ID)
		return nil
	case "find":
		fs := e.flags("patient find", "patient find TEXT", &c)
		limit := fs.Int("limit", 20, "most results to show")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return usagef("usage: clinic patient find TEXT")
		}
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		found, err := s.FindPatients(strings.Join(fs.Args(), " "), *limit)
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
		return table(e.stdout, c.json, found, []string{"ID", "NAME", "DOB", "PHONE"}, rows)
	}
	return usagef("unknown patient subcommand %q (add or find)", args[0])
}
