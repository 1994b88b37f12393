package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// RegisterOrg creates an organisation with its first device.
func (s *Store) RegisterOrg(ctx context.Context, org server.Org, first server.Device) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write("organisation "+org.ID, func(tx *bolt.Tx) error {
		orgs := tx.Bucket(bucketOrgs)
		if orgs.Bucket([]byte(org.ID)) != nil {
			return fmt.Errorf("%w: %s", server.ErrOrgExists, org.ID)
		}
		b, err := orgs.CreateBucket([]byte(org.ID))
		if err != nil {
			return fmt.Errorf("boltstore: creating organisation %s: %w", org.ID, err)
		}
		for _, name := range [][]byte{bucketDevices, bucketBatches, bucketAcks} {
			if _, err := b.CreateBucket(name); err != nil {
				return fmt.Errorf("boltstore: creating organisation %s: %w", org.ID, err)
			}
		}
		rec, err := json.Marshal(orgRecord{Root: org.RootKey, MinEpoch: org.MinEpoch, Created: org.Created.UTC()})
		if err != nil {
			return err
		}
		if err := b.Put(keyOrg, rec); err != nil {
			return err
		}
		return putDevice(b, first)
	})
}

// Org returns an organisation.
func (s *Store) Org(ctx context.Context, id string) (server.Org, error) {
	var org server.Org
	err := s.view(ctx, id, func(b *bolt.Bucket) error {
		r, err := readOrg(b, id)
		org = r.org(id)
		return err
	})
	return org, err
}

// view runs fn on an organisation's bucket in a read transaction.
func (s *Store) view(ctx context.Context, org string, fn func(b *bolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.read("organisation "+org, func(tx *bolt.Tx) error {
		b, err := orgBucket(tx, org)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// update runs fn on an organisation's bucket in a write transaction.
func (s *Store) update(ctx context.Context, org string, fn func(b *bolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write("organisation "+org, func(tx *bolt.Tx) error {
		b, err := orgBucket(tx, org)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// updateGrouped runs fn on an organisation's bucket in a transaction
// shared with other writes (grouped); weight is roughly what fn writes.
// An unknown organisation is a refusal.
func (s *Store) updateGrouped(ctx context.Context, org string, weight int, fn func(b *bolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.grouped("organisation "+org, weight, func(tx *bolt.Tx) error {
		b, err := orgBucket(tx, org)
		if err != nil {
			return refuse(err)
		}
		return fn(b)
	})
}

// orgBucket returns an organisation's bucket or ErrUnknownOrg.
func orgBucket(tx *bolt.Tx, org string) (*bolt.Bucket, error) {
	if org == "" {
		return nil, fmt.Errorf("%w: no organisation ID", server.ErrUnknownOrg)
	}
	b := tx.Bucket(bucketOrgs).Bucket([]byte(org))
	if b == nil {
		return nil, fmt.Errorf("%w: %s", server.ErrUnknownOrg, org)
	}
	return b, nil
}

// readOrg decodes an organisation's record.
func readOrg(b *bolt.Bucket, id string) (orgRecord, error) {
	var r orgRecord
	err := getJSON(b.Get(keyOrg), "organisation "+id, &r)
	return r, err
}

// writeOrg stores an organisation's record.
func writeOrg(b *bolt.Bucket, r orgRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put(keyOrg, v)
}
