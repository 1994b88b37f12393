package client

import (
	"bytes"
	"context"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// A server restored from a copy older than a device forgets the device:
// it refuses every call the device signs. The device's record signed by
// the org root key is public (every Devices answer lists it), so each
// workstation keeps its own as last listed and, when a server no longer
// knows it, presents it again, proving it holds the key. Any user's
// session can: the record was endorsed by an admin when the device was
// added. A server that still holds the device revoked refuses it.

// keepRecord keeps this device's record from a Devices answer, when it
// differs from the one kept.
func (c *Client) keepRecord(resp *wire.DevicesResponse) error {
	self := c.device()
	for _, d := range resp.Devices {
		rec := d.GetRecord()
		if rec.GetRecord().GetDeviceId() != self || d.Revoked {
			continue
		}
		raw, err := proto.Marshal(rec)
		if err != nil {
			return nil
		}
		marks, err := c.s.SyncMarks()
		if err != nil || bytes.Equal(marks.DeviceRecord, raw) {
			return err
		}
		return c.s.KeepDeviceRecord(raw)
	}
	return nil
}

// reenroll presents the kept record to a server that refused this device
// with cause, and reports whether the server took it.
func (c *Client) reenroll(ctx context.Context, cause error) bool {
	if cause == nil || transient(cause) || ctx.Err() != nil {
		return false
	}
	marks, err := c.s.SyncMarks()
	if err != nil || marks.DeviceRecord == nil {
		return false
	}
	rec := &wire.SignedDevice{}
	if proto.Unmarshal(marks.DeviceRecord, rec) != nil || rec.GetRecord().GetDeviceId() != c.device() {
		return false
	}
	req := &wire.AddDeviceRequest{Device: rec}
	c.sign(req, wire.Sync_AddDevice_FullMethodName)
	err = c.unary(ctx, func(ctx context.Context) error {
		_, err := c.rpc.AddDevice(ctx, req)
		return err
	})
	return err == nil
}
