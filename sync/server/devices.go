package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// AddDevice registers a device whose record the org root or a certified
// admin signed. The caller is an active device of the organisation, or the
// new device itself proving it holds its key (a workstation joining).
func (s *Server) AddDevice(ctx context.Context, req *wire.AddDeviceRequest) (*wire.AddDeviceResponse, error) {
	c := s.begin("add_device", req.GetAuth())
	c.add("new_device", req.GetDevice().GetRecord().GetDeviceId())
	return finish(c, &wire.AddDeviceResponse{}, s.addDevice(ctx, req))
}

func (s *Server) addDevice(ctx context.Context, req *wire.AddDeviceRequest) error {
	a, err := s.checkAuth(req)
	if err != nil {
		return err
	}
	org, err := s.callerOrg(ctx, a)
	if err != nil {
		return err
	}
	dev, err := s.endorsedDevice(req.GetDevice(), a, org.RootKey)
	if err != nil {
		return err
	}
	if a.DeviceId == dev.ID {
		err = s.prove(ctx, wire.Sync_AddDevice_FullMethodName, req, org.ID, dev.PublicKey, func() error {
			return s.notRevoked(ctx, org.ID, dev.ID)
		}, true)
	} else {
		_, _, err = s.authenticate(ctx, wire.Sync_AddDevice_FullMethodName, req)
	}
	if err != nil {
		return err
	}
	err = s.backend.AddDevice(ctx, org.ID, dev)
	if !errors.Is(err, ErrDeviceExists) {
		return err
	}
	have, herr := s.backend.Device(ctx, org.ID, dev.ID)
	switch {
	case herr != nil:
		return herr
	case have.Revoked:
		return fmt.Errorf("%w: device %s was revoked and cannot be added again", ErrRevoked, dev.ID)
	case !bytes.Equal(have.PublicKey, dev.PublicKey):
		return fmt.Errorf("%w: device %s has another key", ErrDeviceExists, dev.ID)
	}
	return nil // the same device again: a retry
}

// notRevoked returns ErrRevoked when a known device is revoked; an unknown
// one is fine (it is being added).
func (s *Server) notRevoked(ctx context.Context, org, id string) error {
	d, err := s.backend.Device(ctx, org, id)
	switch {
	case errors.Is(err, ErrUnknownDevice):
		return nil
	case err != nil:
		return err
	case d.Revoked:
		return fmt.Errorf("%w: device %s", ErrRevoked, id)
	}
	return nil
}

// RevokeDevice refuses a device from now on and raises the organisation's
// minimum epoch, on a revocation the org root or a certified admin signed.
func (s *Server) RevokeDevice(ctx context.Context, req *wire.RevokeDeviceRequest) (*wire.RevokeDeviceResponse, error) {
	c := s.begin("revoke_device", req.GetAuth())
	rev := req.GetRevocation().GetRevocation()
	c.add("revoked_device", rev.GetDeviceId(), "new_epoch", rev.GetNewEpoch())
	resp, err := s.revokeDevice(ctx, req)
	return finish(c, resp, err)
}

func (s *Server) revokeDevice(ctx context.Context, req *wire.RevokeDeviceRequest) (*wire.RevokeDeviceResponse, error) {
	org, _, err := s.authenticate(ctx, wire.Sync_RevokeDevice_FullMethodName, req)
	if err != nil {
		return nil, err
	}
	sr := req.GetRevocation()
	rev := sr.GetRevocation()
	if rev == nil {
		return nil, fmt.Errorf("%w: no revocation", ErrInvalid)
	}
	if rev.OrgId != org.ID {
		return nil, fmt.Errorf("%w: the revocation is for organisation %q, not %s", ErrInvalid, rev.OrgId, org.ID)
	}
	if _, err := auth.VerifyRevocation(sr, org.RootKey, s.now()); err != nil {
		return nil, fmt.Errorf("revocation of %s: %w", rev.DeviceId, err)
	}
	epoch, err := s.backend.RevokeDevice(ctx, org.ID, rev.DeviceId, rev.NewEpoch, s.now())
	if err != nil {
		return nil, err
	}
	return &wire.RevokeDeviceResponse{MinEpoch: epoch}, nil
}

// Devices lists the calling organisation's devices with their signed
// records and the minimum epoch.
func (s *Server) Devices(ctx context.Context, req *wire.DevicesRequest) (*wire.DevicesResponse, error) {
	c := s.begin("devices", req.GetAuth())
	resp, err := s.devices(ctx, req)
	return finish(c, resp, err)
}

func (s *Server) devices(ctx context.Context, req *wire.DevicesRequest) (*wire.DevicesResponse, error) {
	org, _, err := s.authenticate(ctx, wire.Sync_Devices_FullMethodName, req)
	if err != nil {
		return nil, err
	}
	return s.logView(ctx, org, req.GetSeqsOnly())
}

// logView is what Devices answers an authenticated caller of org: its
// devices (with their signed records unless seqsOnly), how far the server
// holds each one's sequences, and the state of the log. A push that asks
// for it (PushRequest.view) gets it with seqsOnly.
func (s *Server) logView(ctx context.Context, org Org, seqsOnly bool) (*wire.DevicesResponse, error) {
	devs, err := s.backend.Devices(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	log, err := s.backend.Log(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	resp := &wire.DevicesResponse{MinEpoch: org.MinEpoch, Head: log.Head, Missing: log.Missing, ServerUnixMs: s.now().UnixMilli()}
	for _, d := range devs {
		if seqsOnly {
			info := &wire.DeviceInfo{DeviceId: d.ID, Revoked: d.Revoked, LastSeq: d.LastSeq}
			if d.Revoked {
				info.RevokedUnixMs = d.RevokedAt.UnixMilli()
			}
			resp.Devices = append(resp.Devices, info)
			continue
		}
		info, err := deviceToWire(d)
		if err != nil {
			return nil, err
		}
		resp.Devices = append(resp.Devices, info)
	}
	return resp, nil
}
