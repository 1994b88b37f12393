package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/grpc"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/invite"
)

// link is how a command reaches the sync server: the flags clinic sync
// has too.
type link struct {
	server   string
	insecure bool
	ca       string
}

// linkFlags adds --insecure and --ca, and --server when withServer is set,
// to fs.
func linkFlags(fs *pflag.FlagSet, withServer bool) *link {
	l := &link{}
	if withServer {
		fs.StringVar(&l.server, "server", "", "sync server `HOST:PORT` (default: the one this workstation syncs with)")
	}
	fs.BoolVar(&l.insecure, "insecure", false, "allow plaintext to a server that is not on loopback")
	fs.StringVar(&l.ca, "ca", "", "PEM `FILE` of the certificate authority that signed the server's certificate")
	return l
}

// dial connects to the server l names, or the one the session last
// synced with.
func (l *link) dial(s *store.Session) (*grpc.ClientConn, string, error) {
	addr := l.server
	if addr == "" {
		st, err := s.SyncState()
		if err != nil {
			return nil, "", err
		}
		if addr = st.Server; addr == "" {
			return nil, "", usagef("no sync server yet: give --server ADDR (host:port)")
		}
	}
	conn, err := client.Dial(addr, client.DialOptions{Insecure: l.insecure, CAFile: l.ca})
	if err != nil {
		return nil, "", usageErr(err)
	}
	return conn, addr, nil
}

// inviteCmd is clinic invite: a one-time join code for a new
// workstation.
func (a *app) inviteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invite [--server ADDR] [--for USER] [--expires 24h] [--insecure] [--ca FILE]",
		Short: "make a one-time join code for a new workstation (admins)",
		Args:  noArgs,
	}
	l := linkFlags(cmd.Flags(), true)
	forUser := cmd.Flags().String("for", "", "the `USER` who will log in on the new workstation (default: the joiner says)")
	expires := cmd.Flags().Duration("expires", client.DefaultInviteLifetime, "how long the code works, at most 168h")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *expires < time.Minute || *expires > client.MaxInviteLifetime {
			return usagef("--expires must be between 1m and 168h (7 days)")
		}
		return a.withSession(func(db *store.DB, s *store.Session) error {
			return a.invite(cmd.Context(), db, s, l, client.InviteOptions{For: *forUser, Lifetime: *expires})
		})
	}
	return cmd
}

// invite asks the server to relay a sealed invitation and prints its code.
func (a *app) invite(ctx context.Context, db *store.DB, s *store.Session, l *link, o client.InviteOptions) error {
	e := a.e
	if err := core.Authorize(s.Principal(), core.ActCreate, core.KindDevice); err != nil {
		return err
	}
	conn, addr, err := l.dial(s)
	if err != nil {
		return err
	}
	defer conn.Close()
	inv, err := client.New(conn, s, client.Options{Addr: addr, Now: e.now}).Invite(ctx, conn, o)
	if err != nil {
		return deviceError(err)
	}
	if a.c.json {
		return table(e.stdout, true, struct {
			Code    string    `json:"code"`
			Server  string    `json:"server"`
			Device  string    `json:"device"`
			For     string    `json:"for,omitempty"`
			Expires time.Time `json:"expires"`
		}{inv.Code.String(), addr, inv.Device, inv.For, inv.Expires.UTC()}, nil, nil)
	}
	who := ""
	if inv.For != "" {
		who = " --user " + inv.For
	}
	fmt.Fprintf(e.stdout, "Join code for a new workstation of %s, good once until %s:\n\n    %s\n\n",
		core.SafeText(db.Org().Name), inv.Expires.In(db.Zone()).Format("Mon 2 Jan 2006 15:04 MST"), inv.Code)
	fmt.Fprintf(e.stdout, "On the new machine run: clinic join CODE --data DIR%s\n", who)
	fmt.Fprintf(e.stdout, "It becomes device %s; should the code be lost, clinic device revoke %s retires it.\n", inv.Device, inv.Device)
	return nil
}

// joinCmd is clinic join: make this machine a workstation of the
// organisation a join code invites it to.
func (a *app) joinCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "join CODE [--data DIR] [--user USER] [--insecure] [--ca FILE]",
		Short: "make this machine a workstation of an organisation, from a join code",
		Args:  cobra.ArbitraryArgs,
	}
	l := linkFlags(cmd.Flags(), false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("join needs the join code an admin made with clinic invite; usage: %s", cmd.UseLine())
		}
		// A code typed with spaces between its groups arrives in pieces.
		code, err := invite.ParseCode(strings.Join(args, ""))
		if err != nil {
			return refusal{err}
		}
		return a.join(cmd.Context(), code, l)
	}
	return cmd
}

// join dials the server the code names and joins through it.
func (a *app) join(ctx context.Context, code invite.Code, l *link) error {
	e, c := a.e, &a.c
	path := e.storePath(c)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s; join into another data directory (--data DIR)", store.ErrExists, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: cannot create %s: %v", store.ErrNotStore, filepath.Dir(path), err)
	}
	conn, err := client.Dial(code.Server, client.DialOptions{Insecure: l.insecure, CAFile: l.ca})
	if err != nil {
		return usageErr(err)
	}
	defer conn.Close()
	opts := e.opts
	opts.Now = e.now
	user := c.user
	if user == "" {
		user = e.getenv("CLINIC_USER")
	}
	asked := false
	joined, err := client.Join(ctx, conn, code, client.JoinOptions{
		Path: path, User: user, Store: opts,
		Passphrase: func(who string) (string, error) {
			user = who
			// A passphrase from the environment cannot be asked again.
			if asked && e.getenv("CLINIC_PASSPHRASE") != "" {
				return "", core.ErrAuth
			}
			if asked {
				fmt.Fprintln(e.stderr, "wrong passphrase; try again")
			}
			asked = true
			return e.secret("CLINIC_PASSPHRASE", "passphrase for "+who+": ")
		},
	})
	if err != nil {
		if errors.Is(err, core.ErrAuth) {
			// Join kept the invitation: the code still works here.
			return deniedError{fmt.Errorf("wrong user or passphrase for %s; the join code still works: run clinic join again with --data %s and the right --user and passphrase", user, filepath.Dir(path))}
		}
		return deviceError(err)
	}
	if c.json {
		return table(e.stdout, true, struct {
			Org    string `json:"org"`
			OrgID  string `json:"org_id"`
			Device string `json:"device"`
			User   string `json:"user"`
			Server string `json:"server"`
		}{joined.Org.Name, joined.Org.ID, joined.Device, joined.User, code.Server}, nil, nil)
	}
	fmt.Fprintf(e.stdout, "joined %s as device %s, invited by %s; %s can log in here.\n",
		core.SafeText(joined.Org.Name), core.SafeText(joined.Device), core.SafeText(joined.InvitedBy), core.SafeText(joined.User))
	fmt.Fprintf(e.stdout, "Run clinic sync to fetch the organisation's records from %s.\n", code.Server)
	return nil
}

// deviceCmd is clinic device: list or revoke the organisation's devices.
func (a *app) deviceCmd() *cobra.Command {
	list := &cobra.Command{
		Use:   "list [--json] [--server ADDR] [--insecure] [--ca FILE]",
		Short: "print the organisation's devices as the server knows them",
		Args:  noArgs,
	}
	ll := linkFlags(list.Flags(), true)
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		return a.adminClient(ll, core.ActRead, func(db *store.DB, cl *client.Client) error {
			return deviceList(cmd.Context(), a.e, a.c.json, db, cl)
		})
	}
	revoke := &cobra.Command{
		Use:   "revoke ID [--server ADDR] [--insecure] [--ca FILE]",
		Short: "make the server refuse a device and start a new key epoch",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("usage: clinic device revoke ID (clinic device list shows the IDs)")
			}
			return nil
		},
	}
	rl := linkFlags(revoke.Flags(), true)
	revoke.RunE = func(cmd *cobra.Command, args []string) error {
		return a.adminClient(rl, core.ActUpdate, func(_ *store.DB, cl *client.Client) error {
			return deviceRevoke(cmd.Context(), a.e, cl, args[0])
		})
	}
	return group("device", "list the organisation's devices, or revoke one (admins)", list, revoke)
}

// adminClient opens the store as an admin allowed action a on devices,
// connects a sync client and runs fn with it.
func (a *app) adminClient(l *link, act core.Action, fn func(*store.DB, *client.Client) error) error {
	return a.withSession(func(db *store.DB, s *store.Session) error {
		if err := core.Authorize(s.Principal(), act, core.KindDevice); err != nil {
			return err
		}
		conn, addr, err := l.dial(s)
		if err != nil {
			return err
		}
		defer conn.Close()
		return fn(db, client.New(conn, s, client.Options{Addr: addr, Now: a.e.now}))
	})
}

// deviceRow is one device as clinic device list prints it.
type deviceRow struct {
	ID        string     `json:"id"`
	This      bool       `json:"this"`
	Added     time.Time  `json:"added"`
	SignedBy  string     `json:"signed_by"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastSeq   uint64     `json:"last_seq"`
	Invalid   string     `json:"invalid,omitempty"`
}

// deviceList prints the server's devices of the organisation.
func deviceList(ctx context.Context, e *env, asJSON bool, db *store.DB, cl *client.Client) error {
	devs, err := cl.Devices(ctx)
	if err != nil {
		return deviceError(err)
	}
	min, err := cl.MinEpoch(ctx)
	if err != nil {
		return deviceError(err)
	}
	epoch := db.Org().Epoch
	out := make([]deviceRow, 0, len(devs))
	rows := make([][]string, 0, len(devs))
	for _, d := range devs {
		r := deviceRow{ID: d.ID, This: d.ID == db.DeviceID(), Added: d.Added.UTC(), SignedBy: d.Signer, Revoked: d.Revoked, LastSeq: d.LastSeq}
		state := "active"
		switch {
		case d.Invalid != nil:
			r.Invalid = d.Invalid.Error()
			state = "record does not verify"
		case d.Revoked:
			at := d.RevokedAt.UTC()
			r.RevokedAt = &at
			state = "revoked " + d.RevokedAt.In(db.Zone()).Format("2006-01-02 15:04")
		}
		this := ""
		if r.This {
			this = "*"
		}
		out = append(out, r)
		rows = append(rows, []string{d.ID, this, d.Added.In(db.Zone()).Format("2006-01-02 15:04"), d.Signer, state, fmt.Sprint(d.LastSeq)})
	}
	if asJSON {
		return table(e.stdout, true, struct {
			Epoch    int         `json:"epoch"`
			MinEpoch uint32      `json:"min_epoch"`
			Devices  []deviceRow `json:"devices"`
		}{epoch, min, out}, nil, nil)
	}
	if err := table(e.stdout, false, nil, []string{"ID", "THIS", "ADDED", "SIGNED BY", "STATE", "LAST SEQ"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nkey epoch %d here; the server accepts epoch %d and later\n", epoch, min)
	return nil
}

// deviceRevoke retires a device and starts a new key epoch.
func deviceRevoke(ctx context.Context, e *env, cl *client.Client, id string) error {
	r, err := cl.Revoke(ctx, id)
	if err != nil {
		return deviceError(err)
	}
	if r.Already {
		fmt.Fprintf(e.stdout, "device %s was revoked already; nothing changed\n", id)
		return nil
	}
	fmt.Fprintf(e.stdout, "revoked device %s: the server refuses it from now on.\n", id)
	fmt.Fprintf(e.stdout, "New changes are sealed under key epoch %d (was %d), which %s never receives; the other workstations move to it as they sync.\n", r.Epoch, r.Previous, id)
	return nil
}

// deviceError gives the errors of invitations and devices their exit
// codes: a refusal by the server or a broken trust is an authentication
// problem (2), a wrong code or device ID a validation problem (3), a link
// that fails a store-or-network problem (4).
func deviceError(err error) error {
	switch {
	case errors.Is(err, store.ErrRootMismatch), errors.Is(err, invite.ErrBadInvitation):
		return deniedError{err}
	case errors.Is(err, invite.ErrBadCode), errors.Is(err, client.ErrInvitationGone),
		errors.Is(err, client.ErrNoSuchDevice), errors.Is(err, client.ErrRevokeSelf), errors.Is(err, client.ErrEpochBehind):
		return refusal{err}
	}
	return err
}
