package boltstore

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"medisecure/sync/server"
)

// orgRecord is an organisation as stored under keyOrg.
type orgRecord struct {
	Root     []byte    `json:"root"`
	MinEpoch uint32    `json:"min_epoch"`
	Created  time.Time `json:"created"`
}

func (r orgRecord) org(id string) server.Org {
	return server.Org{ID: id, RootKey: ed25519.PublicKey(r.Root), MinEpoch: r.MinEpoch, Created: r.Created}
}

// deviceRecord is a device as stored in bucketDevices.
type deviceRecord struct {
	PublicKey []byte    `json:"public_key"`
	Record    []byte    `json:"record"`
	Added     time.Time `json:"added"`
	AddedBy   string    `json:"added_by"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	LastSeq   uint64    `json:"last_seq"`
}

func deviceRecordOf(d server.Device) deviceRecord {
	return deviceRecord{
		PublicKey: d.PublicKey, Record: d.Record, Added: d.Added.UTC(), AddedBy: d.AddedBy,
		Revoked: d.Revoked, RevokedAt: d.RevokedAt.UTC(), LastSeq: d.LastSeq,
	}
}

func (r deviceRecord) device(id string) server.Device {
	return server.Device{
		ID: id, PublicKey: ed25519.PublicKey(r.PublicKey), Record: r.Record, Added: r.Added, AddedBy: r.AddedBy,
		Revoked: r.Revoked, RevokedAt: r.RevokedAt, LastSeq: r.LastSeq,
	}
}

// encodeBatch is a stored batch's value:
// u16 len(device) ‖ device ‖ u64 first ‖ u64 last ‖ u32 epoch ‖ envelope.
func encodeBatch(b server.Batch) []byte {
	out := make([]byte, 0, 2+len(b.Device)+20+len(b.Envelope))
	out = binary.BigEndian.AppendUint16(out, uint16(len(b.Device)))
	out = append(out, b.Device...)
	out = binary.BigEndian.AppendUint64(out, b.First)
	out = binary.BigEndian.AppendUint64(out, b.Last)
	out = binary.BigEndian.AppendUint32(out, b.Epoch)
	return append(out, b.Envelope...)
}

// decodeBatch undoes encodeBatch, copying out of bbolt's memory.
func decodeBatch(v []byte) (server.Batch, error) {
	if len(v) < 2 {
		return server.Batch{}, fmt.Errorf("%w: batch of %d bytes", ErrCorrupt, len(v))
	}
	n := int(binary.BigEndian.Uint16(v))
	if len(v) < 2+n+20 {
		return server.Batch{}, fmt.Errorf("%w: batch of %d bytes", ErrCorrupt, len(v))
	}
	v = v[2:]
	b := server.Batch{Device: string(v[:n])}
	v = v[n:]
	b.First = binary.BigEndian.Uint64(v)
	b.Last = binary.BigEndian.Uint64(v[8:])
	b.Epoch = binary.BigEndian.Uint32(v[16:])
	b.Envelope = append([]byte(nil), v[20:]...)
	return b, nil
}

// ack is a device's stored batch as bucketAcks records it.
type ack struct {
	last, seq uint64
}

func (a ack) encode() []byte { return append(u64(a.last), u64(a.seq)...) }

func decodeAck(v []byte) (ack, error) {
	if len(v) != 16 {
		return ack{}, fmt.Errorf("%w: acknowledgement of %d bytes", ErrCorrupt, len(v))
	}
	return ack{last: binary.BigEndian.Uint64(v), seq: binary.BigEndian.Uint64(v[8:])}, nil
}

// getJSON decodes a stored JSON value, reporting damage as ErrCorrupt.
func getJSON(v []byte, what string, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err)
	}
	return nil
}
