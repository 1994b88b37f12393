package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// authenticate establishes who sent req, a call of method: a registered,
// unrevoked device of a registered organisation, which signed this very
// request recently and never sent its nonce before. The order of checks
// spends nothing on requests that cannot be genuine and reveals a device's
// revocation only to the device itself.
func (s *Server) authenticate(ctx context.Context, method string, req wire.Request) (Org, Device, error) {
	return s.authenticateNonce(ctx, method, req, true)
}

// authenticateNonce is authenticate, leaving the request's nonce to the
// caller unless record is set: a push records it with its batch
// (NoncedAppender), in one commit. Such a push, when the tap proved its
// caller, gets an Org with only its ID, unread: the tap found the device
// in that organisation, and the push needs no more of it.
func (s *Server) authenticateNonce(ctx context.Context, method string, req wire.Request, record bool) (Org, Device, error) {
	a, err := s.checkAuth(req)
	if err != nil {
		return Org{}, Device{}, err
	}
	var org Org
	if p := provenFor(ctx, method); p != nil && !record {
		org = Org{ID: a.OrgId}
	} else if org, err = s.callerOrg(ctx, a); err != nil {
		return Org{}, Device{}, err
	}
	standing := func(dev Device) func() error {
		return func() error {
			if dev.Revoked {
				return fmt.Errorf("%w: device %s was revoked on %s", ErrRevoked, dev.ID, dev.RevokedAt.UTC().Format(time.RFC3339))
			}
			return nil
		}
	}
	if p := provenFor(ctx, method); p != nil {
		// The tap verified the header's signature with the device's key
		// before the body was read; what is left is that this body is
		// the one it covers.
		if err := p.claim.Covers(req); err != nil {
			return Org{}, Device{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
		}
		if err := s.admit(ctx, org.ID, a, standing(p.dev), record); err != nil {
			return Org{}, Device{}, err
		}
		return org, p.dev, nil
	}
	dev, err := s.backend.Device(ctx, org.ID, a.DeviceId)
	if errors.Is(err, ErrUnknownDevice) {
		return Org{}, Device{}, fmt.Errorf("%w: device %s is not registered with organisation %s", ErrUnauthenticated, a.DeviceId, org.ID)
	}
	if err != nil {
		return Org{}, Device{}, err
	}
	if err := s.prove(ctx, method, req, org.ID, dev.PublicKey, standing(dev), record); err != nil {
		return Org{}, Device{}, err
	}
	return org, dev, nil
}

// checkAuth checks the shape of req's Auth and that its time is within
// MaxClockSkew of the server's clock.
func (s *Server) checkAuth(req wire.Request) (*wire.Auth, error) {
	a := req.GetAuth()
	if err := auth.CheckAuth(a); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	if err := checkID("organisation", a.OrgId); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	if err := checkID("device", a.DeviceId); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	skew := s.now().Sub(time.UnixMilli(a.UnixMs))
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		return nil, fmt.Errorf("%w: the request's time is %s off the server's clock (at most %s); check the workstation's clock",
			ErrUnauthenticated, skew.Abs().Round(time.Second), MaxClockSkew)
	}
	return a, nil
}

// callerOrg returns the organisation a's caller claims.
func (s *Server) callerOrg(ctx context.Context, a *wire.Auth) (Org, error) {
	org, err := s.backend.Org(ctx, a.OrgId)
	if errors.Is(err, ErrUnknownOrg) {
		return Org{}, fmt.Errorf("%w: organisation %s is not registered", ErrUnauthenticated, a.OrgId)
	}
	return org, err
}

// prove checks that req is signed by pub, then admits it.
func (s *Server) prove(ctx context.Context, method string, req wire.Request, org string, pub ed25519.PublicKey, standing func() error, record bool) error {
	a := req.GetAuth()
	if err := auth.Verify(req, method, pub); err != nil {
		return fmt.Errorf("%w: the request is not signed by device %s's key", ErrUnauthenticated, a.DeviceId)
	}
	return s.admit(ctx, org, a, standing, record)
}

// admit runs standing (the caller's standing, checked only once the
// caller is proven), then, when record is set, records the nonce of a,
// refusing a replay.
func (s *Server) admit(ctx context.Context, org string, a *wire.Auth, standing func() error, record bool) error {
	if err := standing(); err != nil {
		return err
	}
	if !record {
		return nil
	}
	seen, err := s.backend.SeenNonce(ctx, org, a.DeviceId, a.Nonce, s.now())
	if err != nil {
		return err
	}
	if seen {
		return replayed(a.DeviceId)
	}
	return nil
}

// replayed is the error of a request whose nonce device used before.
func replayed(device string) error {
	return fmt.Errorf("%w: replayed request (nonce already used by device %s)", ErrUnauthenticated, device)
}

// A call whose header the tap verified may leave its Auth out of the body
// (the split header, sync/auth): the header carries it. Before a handler
// runs, the interceptors below give such a request back the Auth of its
// verified header, so that the handler authenticates it as any other:
// Covers then checks that the body is the one the header signed, and a
// body that is not is refused. A request without an Auth that no tap
// proved stays without one, and is refused. Every answer says that this
// server reads the Auth from the header (auth.FeatureKey), so a client
// knows it may leave it out of later bodies.

// featureHeader is the answer metadata that says so.
var featureHeader = metadata.Pairs(auth.FeatureKey, auth.FeatureHeaderAuth)

// headerAuthOf gives req, a call of method in ctx, the Auth of the call's
// verified header when it carries none of its own.
func headerAuthOf(ctx context.Context, method string, req any) {
	r, ok := req.(wire.Request)
	if !ok || r.GetAuth() != nil {
		return
	}
	if p := provenFor(ctx, method); p != nil {
		r.SetAuth(p.claim.Auth())
	}
}

// headerAuthUnary is the unary interceptor that rebuilds a request's Auth
// from its call's verified header.
func (s *Server) headerAuthUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := grpc.SetHeader(ctx, featureHeader); err != nil {
		return nil, err
	}
	headerAuthOf(ctx, info.FullMethod, req)
	return handler(ctx, req)
}

// headerAuthStream is the stream interceptor that rebuilds each received
// request's Auth from its call's verified header.
func (s *Server) headerAuthStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := ss.SetHeader(featureHeader); err != nil {
		return err
	}
	return handler(srv, &headerAuthServerStream{ServerStream: ss, method: info.FullMethod})
}

// headerAuthServerStream is a server stream whose received requests get
// the Auth of the call's verified header when they carry none.
type headerAuthServerStream struct {
	grpc.ServerStream
	method string
}

func (s *headerAuthServerStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	headerAuthOf(s.Context(), s.method, m)
	return nil
}
