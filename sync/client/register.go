package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"

	"medisecure/core"
	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// Register registers the organisation with the server, with this
// workstation as its first device: the org root public key, the current
// key epoch and this device's record signed by the root key. The session
// must be an admin's (the root key is sealed to admins) and token the
// operator's registration token. Registering again the same way succeeds.
func (c *Client) Register(ctx context.Context, token string) error {
	sd, err := c.signedRecord(c.device(), c.s.DeviceKey().Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	req := &wire.RegisterRequest{
		RootPublicKey: c.root, FirstDevice: sd, Epoch: uint32(c.s.Epoch()), Token: token,
	}
	c.sign(req, wire.Sync_Register_FullMethodName)
	return c.unary(ctx, func(ctx context.Context) error {
		_, err := c.rpc.Register(ctx, req)
		return err
	})
}

// AddDevice adds another device of the organisation to the server, with a
// record signed by the org root key (admins only); this device, which the
// server must know, makes the call. Adding the same device again succeeds.
func (c *Client) AddDevice(ctx context.Context, id string, pub ed25519.PublicKey) error {
	sd, err := c.signedRecord(id, pub)
	if err != nil {
		return err
	}
	req := &wire.AddDeviceRequest{Device: sd}
	c.sign(req, wire.Sync_AddDevice_FullMethodName)
	return c.unary(ctx, func(ctx context.Context) error {
		_, err := c.rpc.AddDevice(ctx, req)
		return err
	})
}

// Enroll adds this device to an organisation the server knows, with a
// record signed by the org root key (admins only), proving it holds its
// own key. It is how a workstation made from a copy of another's store
// (store.Session.NewDeviceIdentity) joins.
func (c *Client) Enroll(ctx context.Context) error {
	return c.AddDevice(ctx, c.device(), c.s.DeviceKey().Public().(ed25519.PublicKey))
}

// RevokeDevice makes the server refuse a device from now on and raises
// the organisation's minimum key epoch to newEpoch (admins only; the
// record is signed by the org root key).
func (c *Client) RevokeDevice(ctx context.Context, id string, newEpoch uint32) error {
	sr, err := auth.SignRevocationWith(&wire.Revocation{OrgId: c.org, DeviceId: id, NewEpoch: newEpoch}, c.s.SignWithRoot, nil)
	if err != nil {
		return fmt.Errorf("client: signing the revocation of %s: %w", id, err)
	}
	req := &wire.RevokeDeviceRequest{Revocation: sr}
	c.sign(req, wire.Sync_RevokeDevice_FullMethodName)
	return c.unary(ctx, func(ctx context.Context) error {
		_, err := c.rpc.RevokeDevice(ctx, req)
		return err
	})
}

// signedRecord is a device record of the organisation signed by the org
// root key through the session.
func (c *Client) signedRecord(id string, pub ed25519.PublicKey) (*wire.SignedDevice, error) {
	rec := &wire.DeviceRecord{OrgId: c.org, DeviceId: id, PublicKey: pub, CreatedUnixMs: c.opts.Now().UnixMilli()}
	sd, err := auth.SignDeviceWith(rec, c.s.SignWithRoot, nil)
	if err != nil {
		return nil, fmt.Errorf("client: signing the record of device %s: %w", id, err)
	}
	return sd, nil
}

// ensureRegistered makes sure the server knows this device, once per
// server address: an admin with a token registers the organisation; then,
// or without a token, the server must list the device, and an admin's
// session enrolls it when it does not.
func (c *Client) ensureRegistered(ctx context.Context) error {
	marks, err := c.s.SyncMarks()
	if err != nil {
		return err
	}
	if marks.Registered == c.opts.Addr {
		return nil
	}
	admin := c.s.Principal().Role == core.RoleAdmin
	if c.opts.Token != "" && admin {
		err := c.Register(ctx, c.opts.Token)
		if err == nil {
			return c.s.MarkRegistered(c.opts.Addr)
		}
		if codeOf(err) != codes.AlreadyExists {
			return err
		}
		// The organisation exists, registered by another workstation.
	}
	_, err = c.lastStored(ctx)
	switch {
	case err == nil:
		return c.s.MarkRegistered(c.opts.Addr)
	case codeOf(err) != codes.Unauthenticated && !errors.Is(err, ErrNotRegistered):
		return err
	case !admin:
		return fmt.Errorf("%w at %s: an admin's first sync on this workstation registers it", ErrNotRegistered, c.opts.Addr)
	}
	if err := c.Enroll(ctx); err != nil {
		if codeOf(err) == codes.Unauthenticated {
			return fmt.Errorf("%w at %s: the organisation is not registered there; the first sync of its first workstation registers it with the operator's token (--token)", ErrNotRegistered, c.opts.Addr)
		}
		return err
	}
	return c.s.MarkRegistered(c.opts.Addr)
}
