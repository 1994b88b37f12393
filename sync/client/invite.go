package client

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/invite"
	"medisecure/sync/wire"
)

// Invitation lifetimes.
const (
	// DefaultInviteLifetime is how long a join code works when the admin
	// names no time.
	DefaultInviteLifetime = 24 * time.Hour
	// MaxInviteLifetime is the longest the server keeps an invitation.
	MaxInviteLifetime = 7 * 24 * time.Hour
	// joinAttempts is how often Join asks for a passphrase before it gives
	// up: the invitation is taken by then, so a typo must not end it.
	joinAttempts = 3
)

var (
	// ErrInvitationGone is returned when the server holds no invitation
	// for a join code: it was used, has expired, or never existed.
	ErrInvitationGone = errors.New("client: this join code was used already or has expired")
	// ErrNoInvitations is returned when the server does not offer the
	// Invites service (a server older than invitations, or a backend that
	// does not keep them).
	ErrNoInvitations = errors.New("client: the sync server does not keep invitations")
)

// InviteOptions shape an invitation.
type InviteOptions struct {
	// For names the user the invitation is for, who must be in the
	// directory; a joining workstation logs them in unless told another
	// user. Empty leaves the choice to the joiner.
	For string
	// Lifetime is how long the code works, up to MaxInviteLifetime; 0
	// means DefaultInviteLifetime.
	Lifetime time.Duration
}

// Invited is an invitation made: the code to hand over, the device it
// registered, and when the code stops working.
type Invited struct {
	Code    invite.Code
	Device  string
	Expires time.Time
	For     string
}

// Invite makes a one-time join code for a new workstation (admins only):
// it makes the new workstation's device key, registers its record (signed
// by the org root key) with the server, seals the organisation, the root
// public key, the directory and the device key under a fresh secret, and
// leaves the sealed invitation with the server over conn (the connection
// the client was made with). The server sees neither the secret nor what
// it seals. When the code is never used, the device stays registered with
// a key nobody holds, which `clinic device revoke` retires.
func (c *Client) Invite(ctx context.Context, conn grpc.ClientConnInterface, o InviteOptions) (Invited, error) {
	if err := core.Authorize(c.s.Principal(), core.ActCreate, core.KindDevice); err != nil {
		return Invited{}, err
	}
	if o.Lifetime == 0 {
		o.Lifetime = DefaultInviteLifetime
	}
	if o.Lifetime < time.Minute || o.Lifetime > MaxInviteLifetime {
		return Invited{}, fmt.Errorf("%w: a join code works for a minute to %s", core.ErrInvalid, MaxInviteLifetime)
	}
	if o.For != "" {
		if err := c.checkInvitee(o.For); err != nil {
			return Invited{}, err
		}
	}
	code, err := invite.NewCode(c.opts.Addr, c.root)
	if err != nil {
		return Invited{}, err
	}
	if err := c.retry(ctx, func(func()) error { return c.ensureRegistered(ctx) }); err != nil {
		return Invited{}, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Invited{}, fmt.Errorf("client: making a device key: %w", err)
	}
	device := store.DeviceIDOf(pub)
	if err := c.s.GrantDevice(pub); err != nil {
		return Invited{}, err
	}
	inv, err := c.invitation(priv, o.For)
	if err != nil {
		return Invited{}, err
	}
	blob, err := invite.Seal(inv, code)
	if err != nil {
		return Invited{}, err
	}
	if err := c.AddDevice(ctx, device, pub); err != nil {
		return Invited{}, err
	}
	expires := c.opts.Now().Add(o.Lifetime)
	req := &wire.PutInviteRequest{InviteId: code.InviteID(), Blob: blob, ExpiresUnixMs: expires.UnixMilli()}
	rpc := wire.NewInvitesClient(conn)
	err = c.retry(ctx, func(func()) error {
		// Each attempt is signed afresh: the server refuses a nonce twice.
		c.sign(req, wire.Invites_Put_FullMethodName)
		return c.unary(ctx, func(ctx context.Context) error {
			_, err := rpc.Put(ctx, req)
			return err
		})
	})
	if codeOf(err) == codes.Unimplemented {
		return Invited{}, fmt.Errorf("%w: %s does not offer invitations; update syncd", ErrNoInvitations, c.opts.Addr)
	}
	if err != nil {
		return Invited{}, err
	}
	return Invited{Code: code, Device: device, Expires: expires, For: o.For}, nil
}

// checkInvitee reports whether a user the invitation is for is an active
// user of the directory.
func (c *Client) checkInvitee(name string) error {
	users, err := c.s.Users()
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Name == name && !u.Disabled {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not an active user here; add them with clinic user add first", core.ErrInvalid, name)
}

// invitation is what the new workstation gets.
func (c *Client) invitation(device ed25519.PrivateKey, forUser string) (*invite.Invitation, error) {
	entries, err := c.s.DirectoryEntries()
	if err != nil {
		return nil, err
	}
	dir := make([]json.RawMessage, len(entries))
	for i, e := range entries {
		dir[i] = e
	}
	return &invite.Invitation{
		Org: c.s.DB().Org(), Root: c.root, Directory: dir, DeviceSeed: device.Seed(),
		For: forUser, InvitedBy: c.s.User().Name,
	}, nil
}

// JoinOptions are what Join needs besides the code.
type JoinOptions struct {
	// Path is the store file to create; it must not exist.
	Path string
	// User is who logs in to unlock the org key; empty means the user the
	// invitation is for.
	User string
	// Passphrase returns user's passphrase. After a wrong one Join asks
	// again, up to three times; an error ends the join.
	Passphrase func(user string) (string, error)
	// Store tunes the new store (a test's cheap KDF, say).
	Store store.Options
	// CallTimeout bounds the call to the server; 0 means
	// DefaultCallTimeout.
	CallTimeout time.Duration
}

// Joined says what Join made.
type Joined struct {
	Org    store.Org
	Device string
	User   string
	// InvitedBy is the admin who made the invitation.
	InvitedBy string
}

// Join makes this machine a workstation of the organisation a join code
// invites it to: it takes the invitation from the server at the code's
// address over conn (once: the server forgets it), opens it with the
// code's secret, checks the org root key against the code's fingerprint,
// and creates the store at o.Path with the directory and device key it
// holds, unlocked by a user of the directory. It remembers the server, so
// that the next sync needs no address. No store is written when any
// check fails; an invitation taken by a join that failed on the user or
// passphrase waits, still sealed, beside o.Path, so the same code works
// again there. It returns ErrInvitationGone for a used or expired code,
// invite.ErrBadInvitation or store.ErrRootMismatch for an invitation that
// is not what the code promises, core.ErrAuth for a wrong passphrase, and
// store.ErrExists when o.Path exists.
func Join(ctx context.Context, conn grpc.ClientConnInterface, code invite.Code, o JoinOptions) (Joined, error) {
	if _, err := os.Stat(o.Path); err == nil {
		return Joined{}, fmt.Errorf("%w: %s; join into another data directory", store.ErrExists, o.Path)
	}
	inv, err := takeOrResume(ctx, conn, code, o)
	if err != nil {
		return Joined{}, err
	}
	user := o.User
	if user == "" {
		user = inv.For
	}
	if user == "" {
		return Joined{}, fmt.Errorf("%w: the invitation names no user; join again with a new code and --user", core.ErrInvalid)
	}
	j := store.JoinOptions{
		Org: inv.Org, Root: inv.Root, RootFingerprint: code.Fingerprint[:],
		Directory: inv.DirectoryEntries(), DeviceSeed: inv.DeviceSeed, User: user,
	}
	for attempt := 1; ; attempt++ {
		if j.Passphrase, err = o.Passphrase(user); err != nil {
			return Joined{}, err
		}
		err = store.Join(o.Path, j, o.Store)
		if err == nil {
			break
		}
		if !errors.Is(err, core.ErrAuth) || attempt == joinAttempts {
			return Joined{}, err
		}
	}
	// The store holds what the invitation carried; the copy kept for a
	// retry is spent.
	os.Remove(pendingInvitation(o.Path))
	db, err := store.Open(o.Path, o.Store)
	if err != nil {
		return Joined{}, err
	}
	defer db.Close()
	s, err := db.Login(user, j.Passphrase)
	if err != nil {
		return Joined{}, err
	}
	if err := s.SetServer(code.Server); err != nil {
		return Joined{}, err
	}
	return Joined{Org: db.Org(), Device: db.DeviceID(), User: user, InvitedBy: inv.InvitedBy}, nil
}

// pendingInvitation is where a taken invitation waits beside the store
// file until a join with it succeeds, still sealed under the join code as
// the server relayed it. The server gives an invitation out once, so
// without it a mistyped passphrase or user name would spend the code and
// leave a device registered that no workstation holds.
func pendingInvitation(path string) string { return path + ".invitation" }

// takeOrResume opens the invitation a join into o.Path took earlier with
// the same code, or takes it from the server and keeps it for a retry.
func takeOrResume(ctx context.Context, conn grpc.ClientConnInterface, code invite.Code, o JoinOptions) (*invite.Invitation, error) {
	if blob, err := os.ReadFile(pendingInvitation(o.Path)); err == nil {
		if inv, err := invite.Open(blob, code); err == nil {
			return inv, nil
		}
	}
	blob, err := take(ctx, conn, code, o.CallTimeout)
	if err != nil {
		return nil, err
	}
	inv, err := invite.Open(blob, code)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(pendingInvitation(o.Path), blob, 0o600); err != nil {
		return nil, fmt.Errorf("%w: keeping the invitation beside %s: %v", store.ErrNotStore, o.Path, err)
	}
	return inv, nil
}

// take fetches the sealed invitation a code names; the server gives it
// out once.
func take(ctx context.Context, conn grpc.ClientConnInterface, code invite.Code, timeout time.Duration) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := wire.NewInvitesClient(conn).Take(cctx, &wire.TakeInviteRequest{InviteId: code.InviteID()})
	switch status.Code(err) {
	case codes.OK:
	case codes.NotFound:
		return nil, fmt.Errorf("%w (the sync server at %s has no invitation for it); ask an admin for a new one with clinic invite", ErrInvitationGone, code.Server)
	case codes.Unimplemented:
		return nil, fmt.Errorf("%w: %s does not offer invitations; update syncd", ErrNoInvitations, code.Server)
	default:
		return nil, translate(ctx, err, code.Server, timeout)
	}
	return resp.Blob, nil
}
