package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"medisecure/core"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

var (
	// ErrNoSuchDevice is returned when revoking a device the server does
	// not list for the organisation.
	ErrNoSuchDevice = errors.New("client: the organisation has no such device")
	// ErrRevokeSelf is returned when a workstation is asked to revoke its
	// own device.
	ErrRevokeSelf = errors.New("client: a workstation cannot revoke its own device")
	// ErrEpochBehind is returned when the server requires a newer key
	// epoch than this workstation has adopted.
	ErrEpochBehind = errors.New("client: this workstation is behind the organisation's key epoch")
)

// MinEpoch returns the lowest key epoch the server accepts batches under:
// the epoch of the last revocation.
func (c *Client) MinEpoch(ctx context.Context) (uint32, error) {
	req := &wire.DevicesRequest{}
	c.sign(req, wire.Sync_Devices_FullMethodName)
	var resp *wire.DevicesResponse
	err := c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Devices(ctx, req)
		return err
	})
	if err != nil {
		return 0, err
	}
	return resp.MinEpoch, nil
}

// Revoked says what Revoke did.
type Revoked struct {
	Device string
	// Epoch is the key epoch new changes are sealed under from now on,
	// and Previous the one the other workstations hold until they sync.
	Epoch, Previous uint32
	// Already is set when the device was revoked and the rotation after
	// it complete: Revoke changed nothing.
	Already bool
}

// Revoke retires a device of the organisation (admins only): the server
// refuses it from the first step on, a new key epoch starts here, and the
// server refuses batches sealed under an older one from the last step on.
//
// The new epoch's org key reaches the other workstations inside the
// directory (granted to each user, sealed to their public key), which
// travels in a batch. That batch is sealed under the previous epoch, the
// one they can open, and pushed after the server already refuses the
// revoked device, which therefore never receives it; batches sealed under
// the new epoch come after it in the server's log. So the steps are:
//
//  1. RevokeDevice with the server's current minimum epoch: the device is
//     refused at once, the epoch does not move yet;
//  2. Session.RotateEpoch here;
//  3. push a batch of the rotated directory (and pending changes) sealed
//     under the previous epoch;
//  4. RevokeDevice again with the new epoch: older ones are refused.
//
// Run again after a failure, Revoke finishes a rotation this workstation
// made that the server has not seen (it does not rotate twice). Until it
// has, this workstation must not sync: its batches under the new epoch
// would reach the log before the key that opens them.
func (c *Client) Revoke(ctx context.Context, id string) (Revoked, error) {
	if err := core.Authorize(c.s.Principal(), core.ActUpdate, core.KindDevice); err != nil {
		return Revoked{}, err
	}
	if id == c.device() {
		return Revoked{}, fmt.Errorf("%w: %s is this workstation; revoke it from another admin's workstation", ErrRevokeSelf, id)
	}
	c.syncing.Lock()
	defer c.syncing.Unlock()
	if err := c.retry(ctx, func(func()) error { return c.ensureRegistered(ctx) }); err != nil {
		return Revoked{}, err
	}
	devs, err := c.Devices(ctx)
	if err != nil {
		return Revoked{}, err
	}
	target, err := listed(devs, id)
	if err != nil {
		return Revoked{}, err
	}
	min, err := c.MinEpoch(ctx)
	if err != nil {
		return Revoked{}, err
	}
	local := uint32(c.s.Epoch())
	switch {
	case local < min:
		return Revoked{}, fmt.Errorf("%w: it is on key epoch %d, the server requires %d; sync, log in again, then revoke", ErrEpochBehind, local, min)
	case local == min && target.Revoked:
		return Revoked{Device: id, Epoch: local, Previous: local, Already: true}, nil
	}
	if err := c.RevokeDevice(ctx, id, min); err != nil {
		return Revoked{}, err
	}
	if local == min {
		epoch, err := c.s.RotateEpochFor(staying(devs, id))
		if err != nil {
			return Revoked{}, fmt.Errorf("client: device %s is revoked but the new key epoch could not start: %w", id, err)
		}
		local = uint32(epoch)
	}
	unfinished := func(err error) error {
		return fmt.Errorf("client: device %s is revoked, but key epoch %d has not reached the server yet; run the revocation again before syncing: %w", id, local, err)
	}
	if err := c.pushKeys(ctx, min); err != nil {
		return Revoked{}, unfinished(err)
	}
	if err := c.RevokeDevice(ctx, id, local); err != nil {
		return Revoked{}, unfinished(err)
	}
	return Revoked{Device: id, Epoch: local, Previous: min}, nil
}

// staying are the devices that keep the keys of the epoch a revocation of
// id starts: every device the server lists whose record the org root
// endorsed, but id and those revoked before.
func staying(devs []Device, id string) map[string]ed25519.PublicKey {
	out := map[string]ed25519.PublicKey{}
	for _, d := range devs {
		if d.ID != id && !d.Revoked && d.Invalid == nil {
			out[d.ID] = d.PublicKey
		}
	}
	return out
}

// listed returns the device of devs under id.
func listed(devs []Device, id string) (Device, error) {
	for _, d := range devs {
		if d.ID == id {
			return d, nil
		}
	}
	return Device{}, fmt.Errorf("%w: %s is not a device of this organisation", ErrNoSuchDevice, id)
}

// pushKeys pushes the directory, with pending changes as far as they fit,
// in a batch sealed under epoch (not the current one), retrying transient
// failures. The caller holds c.syncing.
func (c *Client) pushKeys(ctx context.Context, epoch uint32) error {
	dir, err := c.directory()
	if err != nil {
		return err
	}
	return c.retry(ctx, func(progress func()) error {
		for {
			done, err := c.pushKeyBatch(ctx, epoch, dir)
			if err != nil || done {
				return err
			}
			progress()
		}
	})
}

// pushKeyBatch pushes one batch of the directory and the oldest pending
// changes under epoch. It reports done once the server stored it; not
// done, without an error, when a batch sealed earlier and kept went first.
func (c *Client) pushKeyBatch(ctx context.Context, epoch uint32, dir *localDirectory) (bool, error) {
	st, err := c.s.SyncState()
	if err != nil {
		return false, err
	}
	kept, err := c.s.KeptBatches(c.device(), st.LastAck, 1)
	if err != nil {
		return false, err
	}
	if len(kept) == 1 && kept[0].First == st.LastAck+1 {
		_, _, err := c.pushKept(ctx, kept[0], st, false)
		return false, err
	}
	changes, err := c.s.Outbox(st.LastAck, c.opts.BatchChanges)
	if err != nil {
		return false, err
	}
	last := st.LastSeq
	if len(changes) == 0 && st.LastSeq == st.LastAck {
		if last, err = c.s.ReserveSeq(); err != nil {
			return false, err
		}
	}
	b, _, err := c.sealUnder(envelope.Payload{Changes: changes, Directory: dir.entries}, epoch, st.LastAck+1, last)
	if err != nil {
		return false, err
	}
	k, err := c.keepOwn(b)
	if err != nil {
		return false, err
	}
	c.sealedDir[b.First] = dir.digest
	if _, _, err := c.pushKept(ctx, k, st, false); err != nil {
		return false, err
	}
	st, err = c.s.SyncState()
	return err == nil && st.LastAck >= k.Last, err
}

// sealUnder seals the directory and as many of the payload's changes as
// fit the batch limits (at least one, however large) under epoch,
// covering sequences first to the last change's, or to last when there
// are none. It returns the batch and how many changes it holds.
func (c *Client) sealUnder(p envelope.Payload, epoch uint32, first, last uint64) (*envelope.Batch, int, error) {
	key, ok := c.orgKey(epoch)
	if !ok {
		return nil, 0, fmt.Errorf("client: the session holds no org key for epoch %d", epoch)
	}
	all := p.Changes
	n := len(all)
	for {
		p.Changes = all[:n]
		upTo := last
		if n > 0 {
			upTo = all[n-1].Seq
		}
		b, err := envelope.SealPayload(p, key, epoch, c.org, c.device(), first, upTo, c.s.DeviceKey())
		tooBig := errors.Is(err, envelope.ErrTooLarge) || err == nil && b.Size() > c.opts.BatchBytes
		if tooBig && n > 1 {
			n /= 2
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("client: sealing the key directory under epoch %d: %w", epoch, err)
		}
		return b, n, nil
	}
}
