package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/seed"
)

// initCmd is clinic init: create a store and its first admin.
func (a *app) initCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init --data DIR --org NAME --admin USER [--zone ZONE] [--currency CODE]",
		Short: "create a new store and its first admin",
		Args:  noArgs,
	}
	f := cmd.Flags()
	org := f.String("org", "", "organisation name (required)")
	admin := f.String("admin", "", "first admin's user name (required)")
	zone := f.String("zone", "UTC", "the clinic's IANA time zone, e.g. Europe/Berlin")
	currency := f.String("currency", "EUR", "the clinic's ISO 4217 currency, e.g. CHF; every fee, invoice and payment is in it, and it cannot be changed later")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *org == "" || *admin == "" {
			return usagef("init needs --org NAME and --admin USER")
		}
		cur, err := core.ParseCurrency(*currency)
		if err != nil {
			return err
		}
		e := a.e
		path := e.storePath(&a.c)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("%w: cannot create %s: %v", store.ErrNotStore, filepath.Dir(path), err)
		}
		pass, err := e.secret("CLINIC_PASSPHRASE", "passphrase for "+*admin+" (at least 8 characters): ")
		if err != nil {
			return err
		}
		opts := e.opts
		opts.Now = e.now
		if err := store.Create(path, store.InitOptions{Org: *org, Zone: *zone, Admin: *admin, Passphrase: pass, Currency: cur}, opts); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created %s for %s; admin %s\n", path, *org, *admin)
		return nil
	}
	return cmd
}

// userCmd is clinic user: add or list staff.
func (a *app) userCmd() *cobra.Command {
	return group("user", "add or list staff (admins add), and their terminal keys", a.userAddCmd(), a.userListCmd(), a.userKeyCmd(), a.userDisableCmd(), a.userEnableCmd(), a.userRoleCmd(), a.userResetCmd())
}

// userAddCmd is clinic user add.
func (a *app) userAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add --role ROLE [--name DISPLAY] USER",
		Short: "add a member of staff; the passphrase comes from a prompt or $CLINIC_NEW_PASSPHRASE",
		Args:  exactArgs(1),
	}
	role := cmd.Flags().String("role", "", "admin, reception, doctor, nurse or billing (required)")
	display := cmd.Flags().String("name", "", "display name, e.g. \"Dr Amara Okafor\"")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if *role == "" {
			return usagef("usage: clinic user add --role ROLE USER")
		}
		r, err := core.ParseRole(*role)
		if err != nil {
			return usageErr(err)
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			pass, err := a.e.secret("CLINIC_NEW_PASSPHRASE", "passphrase for the new user "+args[0]+": ")
			if err != nil {
				return err
			}
			if err := s.AddUser(core.User{Name: args[0], DisplayName: *display, Role: r}, pass); err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "added %s (%s)\n", args[0], r)
			return nil
		})
	}
	return cmd
}

// userListCmd is clinic user list.
func (a *app) userListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "list the organisation's users and roles",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				users, err := s.Users()
				if err != nil {
					return err
				}
				rows := make([][]string, len(users))
				for i, u := range users {
					state := "enabled"
					if u.Disabled {
						state = "disabled"
					}
					rows[i] = []string{u.Name, string(u.Role), state, u.DisplayName}
				}
				return table(a.e.stdout, a.c.json, users, []string{"USER", "ROLE", "STATE", "NAME"}, rows)
			})
		},
	}
}

// seedCmd is clinic seed: fill the store with a synthetic clinic.
func (a *app) seedCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "seed --patients N --days D --seed S",
		Short: "fill the store with a synthetic demo clinic",
		Args:  noArgs,
	}
	f := cmd.Flags()
	patients := f.Int("patients", 200, "number of patients")
	days := f.Int("days", 14, "days of appointments, half before today and half after")
	doctors := f.Int("doctors", 4, "number of doctors")
	sd := f.Uint64("seed", 1, "random seed: the same seed gives the same clinic")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *patients < 1 || *days < 1 || *doctors < 1 || *doctors > 50 {
			return usagef("seed needs --patients ≥ 1, --days ≥ 1 and --doctors between 1 and 50")
		}
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			pass, err := a.e.secret("CLINIC_NEW_PASSPHRASE", "passphrase for the demo users: ")
			if err != nil {
				return err
			}
			res, err := seed.Run(s, seed.Options{Patients: *patients, Days: *days, Doctors: *doctors, Seed: *sd, Now: a.e.now(), Passphrase: pass, Clinical: true})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "seeded %d users, %d patients, %d appointments, %d visits with notes, vitals and invoices\n", res.Users, res.Patients, res.Appointments, res.Clinical)
			for _, u := range slices.Sorted(maps.Keys(res.StandIns)) {
				fmt.Fprintf(a.e.stdout, "%s exists already and keeps its passphrase; the demo's %s is %s\n", u, u, res.StandIns[u])
			}
			return nil
		})
	}
	return cmd
}
