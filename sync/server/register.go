package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// Register creates an organisation with its first device, for a caller who
// holds the operator's registration token, the org root key (which signed
// the first device's record) and the first device's key (which signed the
// request). Repeating a registration that succeeded succeeds; any other
// registration of a known organisation is refused.
func (s *Server) Register(ctx context.Context, req *wire.RegisterRequest) (*wire.RegisterResponse, error) {
	c := s.begin("register", req.GetAuth())
	err := s.register(ctx, req)
	return finish(c, &wire.RegisterResponse{}, err)
}

func (s *Server) register(ctx context.Context, req *wire.RegisterRequest) error {
	if s.token == nil {
		return ErrRegistrationClosed
	}
	// Hashing first makes the comparison's time independent of the
	// token's length as well as its bytes.
	given := sha256.Sum256([]byte(req.GetToken()))
	if subtle.ConstantTimeCompare(given[:], s.token) != 1 {
		return ErrBadToken
	}
	a, err := s.checkAuth(req)
	if err != nil {
		return err
	}
	root := ed25519.PublicKey(req.GetRootPublicKey())
	if len(root) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: the root key must be %d bytes", ErrInvalid, ed25519.PublicKeySize)
	}
	if req.GetEpoch() == 0 {
		return fmt.Errorf("%w: the organisation's epoch must be 1 or more", ErrInvalid)
	}
	dev, err := s.endorsedDevice(req.GetFirstDevice(), a, root)
	if err != nil {
		return err
	}
	if dev.ID != a.DeviceId {
		return fmt.Errorf("%w: the request must be signed by the first device", ErrInvalid)
	}
	if err := auth.Verify(req, wire.Sync_Register_FullMethodName, dev.PublicKey); err != nil {
		return fmt.Errorf("%w: the request is not signed by the first device's key", ErrUnauthenticated)
	}
	org := Org{ID: a.OrgId, RootKey: root, MinEpoch: req.GetEpoch(), Created: s.now()}
	err = s.backend.RegisterOrg(ctx, org, dev)
	if errors.Is(err, ErrOrgExists) && s.sameRegistration(ctx, org, dev) {
		return nil
	}
	return err
}

// sameRegistration reports whether org is registered with the same root
// key and first device as a registration being repeated.
func (s *Server) sameRegistration(ctx context.Context, org Org, first Device) bool {
	have, err := s.backend.Org(ctx, org.ID)
	if err != nil || !bytes.Equal(have.RootKey, org.RootKey) {
		return false
	}
	d, err := s.backend.Device(ctx, org.ID, first.ID)
	return err == nil && !d.Revoked && bytes.Equal(d.PublicKey, first.PublicKey)
}

// endorsedDevice checks a signed device record for the caller's
// organisation against its root key and returns the device to store.
func (s *Server) endorsedDevice(sd *wire.SignedDevice, a *wire.Auth, root ed25519.PublicKey) (Device, error) {
	rec := sd.GetRecord()
	if rec == nil {
		return Device{}, fmt.Errorf("%w: no device record", ErrInvalid)
	}
	if rec.OrgId != a.OrgId {
		return Device{}, fmt.Errorf("%w: the device record is for organisation %q, not %s", ErrInvalid, rec.OrgId, a.OrgId)
	}
	if err := checkID("device", rec.DeviceId); err != nil {
		return Device{}, err
	}
	signer, err := auth.VerifyDevice(sd, root, s.now())
	if err != nil {
		return Device{}, fmt.Errorf("device record of %s: %w", rec.DeviceId, err)
	}
	return deviceFromWire(sd, signer, s.now())
}
