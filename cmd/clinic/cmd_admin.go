package main

import (
	"context"
	"fmt"

	"medisecure/core"
)

// cmdExport prints every live record as JSON lines.
func cmdExport(_ context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("export", "export", &c)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = s.Export(e.stdout)
	return err
}

// cmdAudit verifies or lists the access log.
func cmdAudit(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("audit needs a subcommand: verify or list")
	}
	var c common
	switch args[0] {
	case "verify":
		fs := e.flags("audit verify", "audit verify", &c)
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := s.AuditVerify()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "access log intact: %d entries\n", n)
		return nil
	case "list":
		fs := e.flags("audit list", "audit list [--patient ID]", &c)
		patient := fs.String("patient", "", "only entries about this patient")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		var pid core.ID
		if *patient != "" {
			var err error
			if pid, err = core.ParseID(*patient); err != nil {
				return usageErr(err)
			}
		}
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		entries, err := s.AuditList(pid)
		if err != nil {
			return err
		}
		rows := make([][]string, len(entries))
		for i, a := range entries {
			rows[i] = []string{fmt.Sprint(a.Seq), a.At.In(db.Zone()).Format("2006-01-02 15:04:05"), a.User, string(a.Role), a.Action, string(a.PatientID), a.Reason}
		}
		if entries == nil {
			entries = []core.AccessEntry{}
		}
		return table(e.stdout, c.json, entries, []string{"SEQ", "AT", "USER", "ROLE", "ACTION", "PATIENT", "REASON"}, rows)
	}
	return usagef("unknown audit subcommand %q (verify or list)", args[0])
}
