package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"medisecure/sync/wire"
)

// InviteStore keeps sealed invitations until a new workstation takes them
// (the Invites service). A Backend that also implements it gets the
// service; the server cannot read what it keeps: blobs are sealed under a
// secret that only the join code carries. Implementations are safe for
// concurrent use and pass backendtest.RunInvites.
type InviteStore interface {
	// PutInvite keeps inv until inv.Expires. Putting an invitation with
	// the ID, organisation and blob of a kept one again succeeds and
	// changes nothing. It returns ErrUnknownOrg, ErrInviteExists when
	// another invitation has inv.ID, and ErrTooManyInvites when the
	// organisation already has MaxPendingInvites invitations that have
	// not expired at now. It may forget invitations expired at now.
	PutInvite(ctx context.Context, inv Invite, now time.Time) error

	// TakeInvite returns the invitation with id and forgets it, in one
	// atomic step: of concurrent calls, one gets it. It returns
	// ErrUnknownInvite when none is kept, or when it expired at now (it
	// forgets that one too).
	TakeInvite(ctx context.Context, id []byte, now time.Time) (Invite, error)
}

// Invite is a sealed invitation as the server keeps it.
type Invite struct {
	// ID is InviteIDSize bytes, derived from the invitation's secret.
	ID []byte
	// Org is the organisation whose device put it, and Device that
	// device, for operators.
	Org    string
	Device string
	// Blob is the sealed invitation, opaque to the server.
	Blob    []byte
	Created time.Time
	Expires time.Time
}

// Limits of the Invites service.
const (
	// InviteIDSize is the length of an invitation ID.
	InviteIDSize = 16
	// MaxInviteBytes caps a sealed invitation.
	MaxInviteBytes = 1 << 20
	// MaxInviteLifetime caps how long an invitation is kept.
	MaxInviteLifetime = 7 * 24 * time.Hour
	// MaxPendingInvites caps the invitations an organisation has waiting,
	// so that one device cannot fill the server's disk.
	MaxPendingInvites = 100
)

// Errors an InviteStore returns, wrapped or as they are, and the Invites
// service's own.
var (
	// ErrUnknownInvite is returned when taking an invitation that is not
	// kept: taken already, expired, or never put.
	ErrUnknownInvite = errors.New("server: no such invitation (taken already, expired, or never made)")
	// ErrInviteExists is returned when putting an invitation whose ID
	// another one has.
	ErrInviteExists = errors.New("server: another invitation has this ID")
	// ErrTooManyInvites is returned when an organisation has
	// MaxPendingInvites invitations waiting.
	ErrTooManyInvites = errors.New("server: too many invitations waiting to be taken")
	// ErrInviteTooLarge is returned when a sealed invitation exceeds
	// MaxInviteBytes.
	ErrInviteTooLarge = errors.New("server: invitation too large")
)

// invites is the Invites service of a Server whose backend keeps
// invitations.
type invites struct {
	wire.UnimplementedInvitesServer
	s     *Server
	store InviteStore
}

// registerInvites offers the Invites service on g when the backend keeps
// invitations; otherwise a client's call is UNIMPLEMENTED.
func (s *Server) registerInvites(g *grpc.Server) {
	st, ok := s.backend.(InviteStore)
	if !ok {
		return
	}
	wire.RegisterInvitesServer(g, &invites{s: s, store: st})
	s.health.SetServingStatus(wire.Invites_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
}

// Put keeps a sealed invitation that an active device of an organisation
// made, until it expires.
func (v *invites) Put(ctx context.Context, req *wire.PutInviteRequest) (*wire.PutInviteResponse, error) {
	c := v.s.begin("put_invite", req.GetAuth())
	c.add("invite", inviteTag(req.GetInviteId()), "bytes", len(req.GetBlob()))
	return finish(c, &wire.PutInviteResponse{}, v.put(ctx, req))
}

func (v *invites) put(ctx context.Context, req *wire.PutInviteRequest) error {
	org, dev, err := v.s.authenticate(ctx, wire.Invites_Put_FullMethodName, req)
	if err != nil {
		return err
	}
	if err := checkInviteID(req.GetInviteId()); err != nil {
		return err
	}
	switch n := len(req.GetBlob()); {
	case n == 0:
		return fmt.Errorf("%w: the invitation is empty", ErrInvalid)
	case n > MaxInviteBytes:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrInviteTooLarge, n, MaxInviteBytes)
	}
	now := v.s.now()
	expires := time.UnixMilli(req.GetExpiresUnixMs())
	// The client's clock may be ahead of ours by the skew we allow.
	if !expires.After(now) || expires.After(now.Add(MaxInviteLifetime+MaxClockSkew)) {
		return fmt.Errorf("%w: an invitation must expire in the next %s", ErrInvalid, MaxInviteLifetime)
	}
	return v.store.PutInvite(ctx, Invite{
		ID: req.GetInviteId(), Org: org.ID, Device: dev.ID, Blob: req.GetBlob(), Created: now, Expires: expires,
	}, now)
}

// Take hands a sealed invitation to whoever knows its ID, once.
func (v *invites) Take(ctx context.Context, req *wire.TakeInviteRequest) (*wire.TakeInviteResponse, error) {
	c := v.s.begin("take_invite", nil)
	c.add("invite", inviteTag(req.GetInviteId()))
	resp, err := v.take(ctx, req)
	if err == nil {
		c.add("invite_org", resp.OrgId, "bytes", len(resp.Blob))
	}
	return finish(c, resp, err)
}

func (v *invites) take(ctx context.Context, req *wire.TakeInviteRequest) (*wire.TakeInviteResponse, error) {
	if err := checkInviteID(req.GetInviteId()); err != nil {
		return nil, err
	}
	inv, err := v.store.TakeInvite(ctx, req.GetInviteId(), v.s.now())
	if err != nil {
		return nil, err
	}
	return &wire.TakeInviteResponse{Blob: inv.Blob, OrgId: inv.Org, ExpiresUnixMs: inv.Expires.UnixMilli()}, nil
}

// checkInviteID reports whether id has the size of an invitation ID.
func checkInviteID(id []byte) error {
	if len(id) != InviteIDSize {
		return fmt.Errorf("%w: an invitation ID must be %d bytes, not %d", ErrInvalid, InviteIDSize, len(id))
	}
	return nil
}

// inviteTag is what the log shows of an invitation ID: enough to tell
// calls apart, too little to take the invitation.
func inviteTag(id []byte) string {
	return hex.EncodeToString(id[:min(len(id), 4)])
}
