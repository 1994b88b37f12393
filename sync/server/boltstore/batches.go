package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// Append files a batch at the end of the organisation's log, once. It
// shares its transaction with the pushes that arrive meanwhile (grouped)
// and returns once that is committed.
func (s *Store) Append(ctx context.Context, org string, batch server.Batch) (seq uint64, dup bool, err error) {
	err = s.updateGrouped(ctx, org, len(batch.Envelope), func(b *bolt.Bucket) error {
		seq, dup, err = appendIn(b, org, batch)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return seq, dup, nil
}

// AppendNonced records a push's request nonce and files its batch, in one
// grouped transaction.
func (s *Store) AppendNonced(ctx context.Context, org string, n server.Nonce, batch server.Batch) (seq uint64, dup bool, err error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	key := nonceKey(org, n.Device, n.Nonce)
	err = s.grouped("organisation "+org, len(batch.Envelope)+len(key), func(tx *bolt.Tx) error {
		seq, dup = 0, false
		b, err := orgBucket(tx, org)
		if err != nil {
			return refuse(err)
		}
		seen, err := recordNonce(tx, key, n.At)
		switch {
		case err != nil:
			return err
		case seen:
			return refuse(server.ErrReplayed)
		}
		seq, dup, err = appendIn(b, org, batch)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return seq, dup, nil
}

// appendIn files a batch in an organisation's bucket, once. Its refusals
// come before it writes anything.
func appendIn(b *bolt.Bucket, org string, batch server.Batch) (seq uint64, dup bool, err error) {
	d, err := getDevice(b, batch.Device)
	if err != nil {
		return 0, false, refuse(err)
	}
	if d.Revoked {
		return 0, false, refuse(fmt.Errorf("%w: %s", server.ErrRevoked, batch.Device))
	}
	acks := b.Bucket(bucketAcks).Bucket([]byte(batch.Device))
	if acks != nil {
		if v := acks.Get(u64(batch.First)); v != nil {
			seq, err = stored(b.Bucket(bucketBatches), v, batch)
			return seq, err == nil, err
		}
	}
	switch {
	case batch.First <= d.LastSeq:
		return 0, false, refuse(fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
			server.ErrSeqConflict, batch.Device, d.LastSeq, batch.First))
	case batch.First > d.LastSeq+1:
		return 0, false, refuse(fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
			server.ErrSeqGap, batch.Device, d.LastSeq, batch.First))
	}
	o, err := readOrg(b, org)
	if err != nil {
		return 0, false, refuse(err)
	}
	if batch.Epoch < o.MinEpoch {
		return 0, false, refuse(fmt.Errorf("%w: the batch is sealed under epoch %d, the organisation requires %d or later",
			server.ErrStaleEpoch, batch.Epoch, o.MinEpoch))
	}
	if acks == nil {
		if acks, err = b.Bucket(bucketAcks).CreateBucket([]byte(batch.Device)); err != nil {
			return 0, false, fmt.Errorf("boltstore: acknowledgements of %s: %w", batch.Device, err)
		}
	}
	batches := b.Bucket(bucketBatches)
	if seq, err = batches.NextSequence(); err != nil {
		return 0, false, err
	}
	if err := batches.Put(u64(seq), encodeBatch(batch)); err != nil {
		return 0, false, err
	}
	if err := acks.Put(u64(batch.First), ack{last: batch.Last, seq: seq}.encode()); err != nil {
		return 0, false, err
	}
	d.LastSeq = batch.Last
	return seq, false, putDevice(b, d)
}

// stored checks a batch against the acknowledgement v of a batch with the
// same first sequence and returns its server sequence. The same envelope
// is the same batch; when the log lost it, it is filed again in its old
// place. Anything else is another batch under the same sequences.
func stored(batches *bolt.Bucket, v []byte, batch server.Batch) (uint64, error) {
	a, err := decodeAck(v)
	if err != nil {
		return 0, refuse(err)
	}
	conflict := fmt.Errorf("%w: device %s stored another batch %d..%d, this one is %d..%d",
		server.ErrSeqConflict, batch.Device, batch.First, a.last, batch.First, batch.Last)
	if a.last != batch.Last {
		return 0, refuse(conflict)
	}
	raw := batches.Get(u64(a.seq))
	if raw == nil {
		return a.seq, batches.Put(u64(a.seq), encodeBatch(batch))
	}
	old, err := decodeBatch(raw)
	if err != nil {
		return 0, refuse(err)
	}
	if !bytes.Equal(old.Envelope, batch.Envelope) {
		return 0, refuse(conflict)
	}
	return a.seq, nil
}

// Log reports the head of the organisation's log and how many batches up
// to it are gone.
func (s *Store) Log(ctx context.Context, org string) (server.LogInfo, error) {
	var info server.LogInfo
	err := s.view(ctx, org, func(b *bolt.Bucket) error {
		batches := b.Bucket(bucketBatches)
		info.Head = batches.Sequence()
		if n := uint64(batches.Stats().KeyN); n < info.Head {
			info.Missing = info.Head - n
		}
		return nil
	})
	return info, err
}

// HasAfter reports whether the log holds a batch after a server
// sequence.
func (s *Store) HasAfter(ctx context.Context, org string, seq uint64) (bool, error) {
	found := false
	err := s.view(ctx, org, func(b *bolt.Bucket) error {
		if seq == math.MaxUint64 {
			return nil
		}
		k, _ := b.Bucket(bucketBatches).Cursor().Seek(u64(seq + 1))
		found = k != nil
		return nil
	})
	return found, err
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
