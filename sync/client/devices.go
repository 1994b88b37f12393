package client

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// Device is one device of the organisation as the server lists it, with
// its record checked against the org root key the store pins.
type Device struct {
	ID        string
	PublicKey ed25519.PublicKey
	// Signer is who endorsed the record ("root" or "admin NAME"); empty
	// when the record does not verify, with the reason in Invalid.
	Signer  string
	Invalid error
	Added   time.Time
	Revoked bool
	// RevokedAt is when the server revoked it.
	RevokedAt time.Time
	// LastSeq is the highest device sequence the server stored from it.
	LastSeq uint64
}

// Devices lists the organisation's devices, verifying each record against
// the org root key; the verified keys are what pulled batches are checked
// with.
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	_, out, err := c.listDevices(ctx)
	return out, err
}

// listDevices asks the server for its devices, verifies their records,
// and returns the answer with the devices.
func (c *Client) listDevices(ctx context.Context) (*wire.DevicesResponse, []Device, error) {
	req := &wire.DevicesRequest{}
	c.sign(req, wire.Sync_Devices_FullMethodName)
	var resp *wire.DevicesResponse
	err := c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Devices(ctx, req)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	now := c.opts.Now()
	out := make([]Device, 0, len(resp.Devices))
	verified := map[string]ed25519.PublicKey{}
	for _, info := range resp.Devices {
		rec := info.GetRecord().GetRecord()
		d := Device{
			ID: rec.GetDeviceId(), PublicKey: ed25519.PublicKey(rec.GetPublicKey()),
			Added: time.UnixMilli(rec.GetCreatedUnixMs()), Revoked: info.Revoked, LastSeq: info.LastSeq,
		}
		if info.Revoked {
			d.RevokedAt = time.UnixMilli(info.RevokedUnixMs)
		}
		d.Signer, d.Invalid = auth.VerifyDevice(info.GetRecord(), c.root, now)
		if d.Invalid == nil && rec.GetOrgId() != c.org {
			d.Signer, d.Invalid = "", fmt.Errorf("the record is for organisation %q", rec.GetOrgId())
		}
		if d.Invalid == nil {
			// A revoked device's earlier batches stay valid: the server
			// took them while it was trusted, and refuses its later ones.
			verified[d.ID] = d.PublicKey
		}
		out = append(out, d)
	}
	c.mu.Lock()
	c.devices = verified
	c.mu.Unlock()
	return resp, out, nil
}

// deviceKey returns the verified key of a device, listing the devices
// again when it is not known yet.
func (c *Client) deviceKey(ctx context.Context, id string) (ed25519.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.devices[id]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	devs, err := c.Devices(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range devs {
		if d.ID != id {
			continue
		}
		if d.Invalid != nil {
			return nil, fmt.Errorf("%w: device %s's record does not verify against the org root key: %v", ErrUnknownDevice, id, d.Invalid)
		}
		return d.PublicKey, nil
	}
	return nil, fmt.Errorf("%w: device %s", ErrUnknownDevice, id)
}

// lastStored returns the highest sequence of this device the server has
// stored.
func (c *Client) lastStored(ctx context.Context) (uint64, error) {
	devs, err := c.Devices(ctx)
	if err != nil {
		return 0, err
	}
	for _, d := range devs {
		if d.ID == c.device() {
			return d.LastSeq, nil
		}
	}
	return 0, fmt.Errorf("%w: the server does not list this device", ErrNotRegistered)
}
