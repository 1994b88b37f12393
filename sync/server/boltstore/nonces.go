package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// pruneBatch bounds how many expired nonces one call forgets, so that a
// request after a long quiet spell does not pay for all of them.
const pruneBatch = 256

// SeenNonce records a request nonce and reports whether it was recorded
// before. It forgets nonces older than server.ReplayWindow as it goes.
func (s *Store) SeenNonce(ctx context.Context, org, device string, nonce []byte, at time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	seen := false
	key := nonceKey(org, device, nonce)
	err := s.grouped("request nonces", len(key), func(tx *bolt.Tx) error {
		seen = false
		if _, err := orgBucket(tx, org); err != nil {
			return refuse(err)
		}
		var err error
		seen, err = recordNonce(tx, key, at)
		return err
	})
	return seen, err
}

// recordNonce records the nonce key received at the time at, unless it
// was recorded before, which it reports; it forgets some expired nonces
// first.
func recordNonce(tx *bolt.Tx, key []byte, at time.Time) (bool, error) {
	nonces, times := tx.Bucket(bucketNonces), tx.Bucket(bucketNonceTimes)
	if err := prune(nonces, times, at.Add(-server.ReplayWindow)); err != nil {
		return false, err
	}
	if nonces.Get(key) != nil {
		return true, nil
	}
	stamp := u64(uint64(at.UnixNano()))
	if err := nonces.Put(key, stamp); err != nil {
		return false, err
	}
	return false, times.Put(append(stamp, key...), nil)
}

// prune forgets up to pruneBatch nonces received before cutoff, oldest
// first.
func prune(nonces, times *bolt.Bucket, cutoff time.Time) error {
	limit := u64(uint64(cutoff.UnixNano()))
	c := times.Cursor()
	for range pruneBatch {
		k, _ := c.First()
		if len(k) < 8 || bytes.Compare(k[:8], limit) >= 0 {
			return nil
		}
		key := append([]byte(nil), k[8:]...)
		if err := c.Delete(); err != nil {
			return err
		}
		if err := nonces.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// nonceKey is u16 len(org) ‖ org ‖ u16 len(device) ‖ device ‖ nonce, so
// that no two (org, device, nonce) share a key.
func nonceKey(org, device string, nonce []byte) []byte {
	k := make([]byte, 0, 4+len(org)+len(device)+len(nonce))
	k = binary.BigEndian.AppendUint16(k, uint16(len(org)))
	k = append(k, org...)
	k = binary.BigEndian.AppendUint16(k, uint16(len(device)))
	k = append(k, device...)
	return append(k, nonce...)
}
