package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/invite"
)

// Usage lines of the device commands.
const (
	inviteUsage = "invite [--server ADDR] [--for USER] [--expires 24h] [--insecure] [--ca FILE]"
	joinUsage   = "join CODE [--data DIR] [--user USER] [--insecure] [--ca FILE]"
	deviceUsage = "device list [--json] | device revoke ID [--server ADDR] [--insecure] [--ca FILE]"
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
func linkFlags(fs *flag.FlagSet, withServer bool) *link {
	l := &link{}
	if withServer {
		fs.StringVar(&l.server, "server", "", "sync server `host:port` (default: the one this workstation syncs with)")
	}
	fs.BoolVar(&l.insecure, "insecure", false, "allow plaintext to a server that is not on loopback")
	fs.StringVar(&l.ca, "ca", "", "PEM `file` of the certificate authority that signed the server's certificate")
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

// cmdInvite makes a one-time join code for a new workstation.
func cmdInvite(ctx context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("invite", inviteUsage, &c)
	l := linkFlags(fs, true)
	forUser := fs.String("for", "", "the `user` who will log in on the new workstation (default: the joiner says)")
	expires := fs.Duration("expires", client.DefaultInviteLifetime, "how long the code works, at most 168h")
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected %q; usage: clinic %s", pos[0], inviteUsage)
	case *expires < time.Minute || *expires > client.MaxInviteLifetime:
		return usagef("--expires must be between 1m and 168h (7 days)")
	}
	db, s, err := e.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := core.Authorize(s.Principal(), core.ActCreate, core.KindDevice); err != nil {
		return err
	}
	conn, addr, err := l.dial(s)
	if err != nil {
		return err
	}
	defer conn.Close()
	inv, err := client.New(conn, s, client.Options{Addr: addr, Now: e.now}).
		Invite(ctx, conn, client.InviteOptions{For: *forUser, Lifetime: *expires})
	if err != nil {
		return deviceError(err)
	}
	if c.json {
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
		db.Org().Name, inv.Expires.In(db.Zone()).Format("Mon 2 Jan 2006 15:04 MST"), inv.Code)
	fmt.Fprintf(e.stdout, "On the new machine run: clinic join CODE --data DIR%s\n", who)
	fmt.Fprintf(e.stdout, "It becomes device %s; should the code be lost, clinic device revoke %s retires it.\n", inv.Device, inv.Device)
	return nil
}

// cmdJoin makes this machine a workstation of the organisation a join
// code invites it to.
func cmdJoin(ctx context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("join", joinUsage, &c)
	l := linkFlags(fs, false)
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("join needs the join code an admin made with clinic invite; usage: clinic %s", joinUsage)
	}
	// A code typed with spaces between its groups arrives in pieces.
	code, err := invite.ParseCode(strings.Join(pos, ""))
	if err != nil {
		return refusal{err}
	}
	path := e.storePath(&c)
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
		Passphrase: func(user string) (string, error) {
			// A passphrase from the environment cannot be asked again.
			if asked && e.getenv("CLINIC_PASSPHRASE") != "" {
				return "", core.ErrAuth
			}
			if asked {
				fmt.Fprintln(e.stderr, "wrong passphrase; try again")
			}
			asked = true
			return e.secret("CLINIC_PASSPHRASE", "passphrase for "+user+": ")
		},
	})
	if err != nil {
		if errors.Is(err, core.ErrAuth) {
			// The server gave the invitation out once: say so, as the
			// usual "wrong user or passphrase" would not.
			return deniedError{errors.New("wrong user or passphrase; this join code is used up: ask an admin for a new one")}
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
	fmt.Fprintf(e.stdout, "joined %s as device %s, invited by %s; %s can log in here.\n", joined.Org.Name, joined.Device, joined.InvitedBy, joined.User)
	fmt.Fprintf(e.stdout, "Run clinic sync to fetch the organisation's records from %s.\n", code.Server)
	return nil
}

// cmdDevice lists or revokes the organisation's devices.
func cmdDevice(ctx context.Context, e *env, args []string) error {
	var c common
	fs := e.flags("device", deviceUsage, &c)
	l := linkFlags(fs, true)
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "list":
		return deviceList(ctx, e, &c, l)
	case len(pos) == 2 && pos[0] == "revoke":
		return deviceRevoke(ctx, e, &c, l, pos[1])
	case len(pos) > 0 && pos[0] == "revoke":
		return usagef("usage: clinic device revoke ID (clinic device list shows the IDs)")
	}
	return usagef("usage: clinic %s", deviceUsage)
}

// adminClient opens the store as an admin and connects a sync client.
func adminClient(e *env, c *common, l *link, a core.Action) (*store.DB, *client.Client, func(), error) {
	db, s, err := e.open(c)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := core.Authorize(s.Principal(), a, core.KindDevice); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	conn, addr, err := l.dial(s)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	closeAll := func() {
		conn.Close()
		db.Close()
	}
	return db, client.New(conn, s, client.Options{Addr: addr, Now: e.now}), closeAll, nil
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
func deviceList(ctx context.Context, e *env, c *common, l *link) error {
	db, cl, done, err := adminClient(e, c, l, core.ActRead)
	if err != nil {
		return err
	}
	defer done()
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
	if c.json {
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
func deviceRevoke(ctx context.Context, e *env, c *common, l *link, id string) error {
	_, cl, done, err := adminClient(e, c, l, core.ActUpdate)
	if err != nil {
		return err
	}
	defer done()
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
	return syncError(err)
}
