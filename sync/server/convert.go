package server

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// deviceFromWire turns a verified signed device record into the Device to
// store, keeping the record's bytes for clients to check.
func deviceFromWire(sd *wire.SignedDevice, signer string, now time.Time) (Device, error) {
	record, err := proto.MarshalOptions{Deterministic: true}.Marshal(sd)
	if err != nil {
		return Device{}, fmt.Errorf("%w: device record: %v", ErrInvalid, err)
	}
	rec := sd.GetRecord()
	return Device{
		ID:        rec.DeviceId,
		PublicKey: append(ed25519.PublicKey(nil), rec.PublicKey...),
		Record:    record,
		Added:     now,
		AddedBy:   signer,
	}, nil
}

// deviceToWire is what Devices tells a client of one device.
func deviceToWire(d Device) (*wire.DeviceInfo, error) {
	sd := &wire.SignedDevice{}
	if err := proto.Unmarshal(d.Record, sd); err != nil {
		return nil, fmt.Errorf("server: stored record of device %s does not decode: %w", d.ID, err)
	}
	info := &wire.DeviceInfo{Record: sd, Revoked: d.Revoked, LastSeq: d.LastSeq}
	if d.Revoked {
		info.RevokedUnixMs = d.RevokedAt.UnixMilli()
	}
	return info, nil
}

// batchFromEnvelope is what the server files of a verified batch.
func batchFromEnvelope(b *envelope.Batch, raw []byte) Batch {
	return Batch{Device: b.Device, First: b.First, Last: b.Last, Epoch: b.Epoch, Envelope: raw}
}
