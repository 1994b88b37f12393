package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
)

// The user lifecycle commands (docs/users.md): disable, enable, role and
// reset under clinic user, and clinic passwd.

// userDisableCmd is clinic user disable. A workstation that syncs pushes
// the disable to the server at once, sealed so every other workstation
// opens it (client.DisableUser); one that never synced only writes it.
func (a *app) userDisableCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "disable USER [--server ADDR] [--insecure] [--ca FILE]",
		Short: "disable a user everywhere and start a new key epoch (admins)",
		Args:  exactArgs(1),
	}
	l := linkFlags(cmd.Flags(), true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.withSession(func(_ *store.DB, s *store.Session) error {
			epoch, err := a.disable(cmd.Context(), l, s, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.e.stdout, "disabled %s and started key epoch %d; every workstation refuses %s after its next sync\n", args[0], epoch, args[0])
			return nil
		})
	}
	return cmd
}

// disable disables a user through the sync server when the workstation
// has one, else in the store alone.
func (a *app) disable(ctx context.Context, l *link, s *store.Session, name string) (int, error) {
	st, err := s.SyncState()
	if err != nil {
		return 0, err
	}
	if l.server == "" && st.Server == "" {
		return s.DisableUser(name)
	}
	conn, addr, err := l.dial(s)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return client.New(conn, s, client.Options{Addr: addr, Now: a.e.now}).DisableUser(ctx, s, name)
}

// userEnableCmd is clinic user enable.
func (a *app) userEnableCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "enable USER",
		Short: "enable a disabled user again (admins)",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				if err := s.EnableUser(args[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.e.stdout, "enabled %s\n", args[0])
				return nil
			})
		},
	}
}

// userRoleCmd is clinic user role.
func (a *app) userRoleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "role USER ROLE",
		Short: "change a user's role: admin, reception, doctor, nurse or billing (admins)",
		Args:  exactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			role, err := core.ParseRole(args[1])
			if err != nil {
				return usageErr(err)
			}
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				if err := s.SetRole(args[0], role); err != nil {
					return err
				}
				fmt.Fprintf(a.e.stdout, "%s is now %s; every workstation applies it after its next sync\n", args[0], role)
				return nil
			})
		},
	}
}

// userResetCmd is clinic user reset.
func (a *app) userResetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reset USER",
		Short: "give a user who lost their passphrase a one-time reset code (admins)",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				code, err := s.ResetUser(args[0])
				if err != nil {
					return err
				}
				if a.c.json {
					return table(a.e.stdout, true, map[string]string{"user": args[0], "code": code}, nil, nil)
				}
				fmt.Fprintf(a.e.stdout, "reset code for %s: %s\ngive it to %s in person; they run clinic passwd --reset CODE, or log in at the terminal UI, and set a new passphrase\n", args[0], code, args[0])
				return nil
			})
		},
	}
}

// passwdCmd is clinic passwd.
func (a *app) passwdCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "passwd [--reset CODE]",
		Short: "change your passphrase, or set a new one with an admin's reset code; the new one comes from a prompt or $CLINIC_NEW_PASSPHRASE",
		Args:  noArgs,
	}
	code := cmd.Flags().String("reset", "", "the one-time reset code an admin gave you")
	cmd.RunE = func(*cobra.Command, []string) error {
		if *code != "" {
			return a.redeem(*code)
		}
		return a.changePassphrase()
	}
	return cmd
}

// changePassphrase is clinic passwd: the old passphrase logs in and
// proves itself again to the store, which re-seals the keys.
func (a *app) changePassphrase() error {
	user, err := a.user()
	if err != nil {
		return err
	}
	db, err := a.e.openDB(&a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	old, err := a.e.secret("CLINIC_PASSPHRASE", "current passphrase for "+user+": ")
	if err != nil {
		return err
	}
	s, err := db.Login(user, old)
	if err != nil {
		return loginError{user: user, err: err}
	}
	pass, err := a.newPassphrase()
	if err != nil {
		return err
	}
	if err := s.ChangePassphrase(old, pass); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stdout, "passphrase of %s changed; other workstations take it at their next sync\n", user)
	return nil
}

// user is the user a command acts as: --user or $CLINIC_USER.
func (a *app) user() (string, error) {
	user := a.c.user
	if user == "" {
		user = a.e.getenv("CLINIC_USER")
	}
	if user == "" {
		return "", usagef("no user: give --user USER or set CLINIC_USER")
	}
	return user, nil
}

// redeem is clinic passwd --reset CODE.
func (a *app) redeem(code string) error {
	user, err := a.user()
	if err != nil {
		return err
	}
	db, err := a.e.openDB(&a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	pass, err := a.newPassphrase()
	if err != nil {
		return err
	}
	if err := db.RedeemReset(user, code, pass); err != nil {
		return err
	}
	fmt.Fprintf(a.e.stdout, "new passphrase set for %s; the reset code is used up\n", user)
	return nil
}

// newPassphrase reads a new passphrase from $CLINIC_NEW_PASSPHRASE or,
// twice, from the terminal.
func (a *app) newPassphrase() (string, error) {
	pass, err := a.e.secret("CLINIC_NEW_PASSPHRASE", "new passphrase (at least 8 characters): ")
	if err != nil || a.e.getenv("CLINIC_NEW_PASSPHRASE") != "" {
		return pass, err
	}
	again, err := a.e.secret("CLINIC_NEW_PASSPHRASE", "the new passphrase again: ")
	if err != nil {
		return "", err
	}
	if again != pass {
		return "", usagef("the two new passphrases differ; nothing changed")
	}
	return pass, nil
}
