package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/seed"
)

// cmdInit creates a store and its first admin.
func cmdInit(_ context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("init", "init --data DIR --org NAME --admin USER [--zone ZONE]", &c)
	org := fs.String("org", "", "organisation name (required)")
	admin := fs.String("admin", "", "first admin's user name (required)")
	zone := fs.String("zone", "UTC", "the clinic's IANA time zone, e.g. Europe/Berlin")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *org == "" || *admin == "" {
		return usagef("init needs --org NAME and --admin USER")
	}
	path := e.storePath(&c)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: cannot create %s: %v", store.ErrNotStore, filepath.Dir(path), err)
	}
	pass, err := e.secret("CLINIC_PASSPHRASE", "passphrase for "+*admin+" (at least 8 characters): ")
	if err != nil {
		return err
	}
	opts := e.opts
	opts.Now = e.now
	if err := store.Create(path, store.InitOptions{Org: *org, Zone: *zone, Admin: *admin, Passphrase: pass}, opts); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s for %s; admin %s\n", path, *org, *admin)
	return nil
}

// cmdUser adds or lists users.
func cmdUser(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("user needs a subcommand: add or list")
	}
	var c common
	switch args[0] {
	case "add":
		fs := e.flags("user add", "user add --role ROLE USER", &c)
		role := fs.String("role", "", "admin, reception, doctor, nurse or billing (required)")
		display := fs.String("name", "", "display name, e.g. \"Dr Amara Okafor\"")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 || *role == "" {
			return usagef("usage: clinic user add --role ROLE USER")
		}
		r, err := core.ParseRole(*role)
		if err != nil {
			return usageErr(err)
		}
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		pass, err := e.secret("CLINIC_NEW_PASSPHRASE", "passphrase for the new user "+fs.Arg(0)+": ")
		if err != nil {
			return err
		}
		if err := s.AddUser(core.User{Name: fs.Arg(0), DisplayName: *display, Role: r}, pass); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s)\n", fs.Arg(0), r)
		return nil
	case "list":
		fs := e.flags("user list", "user list", &c)
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		db, s, err := e.open(&c)
		if err != nil {
			return err
		}
		defer db.Close()
		users, err := s.Users()
		if err != nil {
			return err
		}
		rows := make([][]string, len(users))
		for i, u := range users {
			rows[i] = []string{u.Name, string(u.Role), u.DisplayName}
		}
		return table(e.stdout, c.json, users, []string{"USER", "ROLE", "NAME"}, rows)
	}
	return usagef("unknown user subcommand %q (add or list)", args[0])
}

// cmdSeed fills the store with a synthetic clinic.
func cmdSeed(_ context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("seed", "seed --patients N --days D --seed S", &c)
	patients := fs.Int("patients", 200, "number of patients")
	days := fs.Int("days", 14, "days of appointments, half before today and half after")
	doctors := fs.Int("doctors", 4, "number of doctors")
	sd := fs.Uint64("seed", 1, "random seed: the same seed gives the same clinic")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *patients < 1 || *days < 1 || *doctors < 1 || *doctors > 50 {
		return usagef("seed needs --patients ≥ 1, --days ≥ 1 and --doctors between 1 and 50")
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	pass, err := e.secret("CLINIC_NEW_PASSPHRASE", "passphrase for the demo users: ")
	if err != nil {
		return err
	}
	res, err := seed.Run(s, seed.Options{Patients: *patients, Days: *days, Doctors: *doctors, Seed: *sd, Now: e.now(), Passphrase: pass, Clinical: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded %d users, %d patients, %d appointments, %d visits with notes, vitals and invoices\n", res.Users, res.Patients, res.Appointments, res.Clinical)
	return nil
}
