package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// Append files a batch at the end of the organisation's log, once.
func (s *Store) Append(ctx context.Context, org string, batch server.Batch) (seq uint64, dup bool, err error) {
	err = s.update(ctx, org, func(b *bolt.Bucket) error {
		d, err := getDevice(b, batch.Device)
		if err != nil {
			return err
		}
		if d.Revoked {
			return fmt.Errorf("%w: %s", server.ErrRevoked, batch.Device)
		}
		acks, err := b.Bucket(bucketAcks).CreateBucketIfNotExists([]byte(batch.Device))
		if err != nil {
			return fmt.Errorf("boltstore: acknowledgements of %s: %w", batch.Device, err)
		}
		if v := acks.Get(u64(batch.First)); v != nil {
			a, err := decodeAck(v)
			if err != nil {
				return err
			}
			if a.last != batch.Last {
				return fmt.Errorf("%w: device %s stored %d..%d, this batch is %d..%d",
					server.ErrSeqConflict, batch.Device, batch.First, a.last, batch.First, batch.Last)
			}
			seq, dup = a.seq, true
			return nil
		}
		if batch.First <= d.LastSeq {
			return fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
				server.ErrSeqConflict, batch.Device, d.LastSeq, batch.First)
		}
		o, err := readOrg(b, org)
		if err != nil {
			return err
		}
		if batch.Epoch < o.MinEpoch {
			return fmt.Errorf("%w: the batch is sealed under epoch %d, the organisation requires %d or later",
				server.ErrStaleEpoch, batch.Epoch, o.MinEpoch)
		}
		batches := b.Bucket(bucketBatches)
		if seq, err = batches.NextSequence(); err != nil {
			return err
		}
		if err := batches.Put(u64(seq), encodeBatch(batch)); err != nil {
			return err
		}
		if err := acks.Put(u64(batch.First), ack{last: batch.Last, seq: seq}.encode()); err != nil {
			return err
		}
		d.LastSeq = batch.Last
		return putDevice(b, d)
	})
	if err != nil {
		return 0, false, err
	}
	return seq, dup, nil
}

// Range returns stored batches after a server sequence, in order.
func (s *Store) Range(ctx context.Context, org string, after uint64, limit int) ([]server.Stored, error) {
	var out []server.Stored
	err := s.view(ctx, org, func(b *bolt.Bucket) error {
		c := b.Bucket(bucketBatches).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("%w: batch key of %d bytes", ErrCorrupt, len(k))
			}
			batch, err := decodeBatch(v)
			if err != nil {
				return err
			}
			out = append(out, server.Stored{Seq: binary.BigEndian.Uint64(k), Batch: batch})
		}
		return nil
	})
	return out, err
}
