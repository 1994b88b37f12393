package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

// AddDevice adds a device to an organisation.
func (s *Store) AddDevice(ctx context.Context, org string, d server.Device) error {
	return s.update(ctx, org, func(b *bolt.Bucket) error {
		if b.Bucket(bucketDevices).Get([]byte(d.ID)) != nil {
			return fmt.Errorf("%w: %s", server.ErrDeviceExists, d.ID)
		}
		return putDevice(b, d)
	})
}

// Device returns one device of an organisation.
func (s *Store) Device(ctx context.Context, org, id string) (server.Device, error) {
	var d server.Device
	err := s.view(ctx, org, func(b *bolt.Bucket) error {
		var err error
		d, err = getDevice(b, id)
		return err
	})
	return d, err
}

// RevokeDevice marks a device revoked and raises the minimum epoch.
func (s *Store) RevokeDevice(ctx context.Context, org, id string, epoch uint32, at time.Time) (uint32, error) {
	var minEpoch uint32
	err := s.update(ctx, org, func(b *bolt.Bucket) error {
		o, err := readOrg(b, org)
		if err != nil {
			return err
		}
		if epoch < o.MinEpoch {
			return fmt.Errorf("%w: epoch %d is below %d", server.ErrStaleEpoch, epoch, o.MinEpoch)
		}
		d, err := getDevice(b, id)
		if err != nil {
			return err
		}
		if !d.Revoked {
			d.Revoked, d.RevokedAt = true, at
			if err := putDevice(b, d); err != nil {
				return err
			}
		}
		o.MinEpoch = epoch
		minEpoch = epoch
		return writeOrg(b, o)
	})
	return minEpoch, err
}

// Devices returns an organisation's devices ordered by ID.
func (s *Store) Devices(ctx context.Context, org string) ([]server.Device, error) {
	var out []server.Device
	err := s.view(ctx, org, func(b *bolt.Bucket) error {
		return b.Bucket(bucketDevices).ForEach(func(k, v []byte) error {
			var r deviceRecord
			if err := getJSON(v, "device "+string(k), &r); err != nil {
				return err
			}
			out = append(out, r.device(string(k)))
			return nil
		})
	})
	return out, err
}

// getDevice reads a device from an organisation's bucket.
func getDevice(b *bolt.Bucket, id string) (server.Device, error) {
	v := b.Bucket(bucketDevices).Get([]byte(id))
	if v == nil || id == "" {
		return server.Device{}, fmt.Errorf("%w: %s", server.ErrUnknownDevice, id)
	}
	var r deviceRecord
	if err := getJSON(v, "device "+id, &r); err != nil {
		return server.Device{}, err
	}
	return r.device(id), nil
}

// putDevice writes a device into an organisation's bucket.
func putDevice(b *bolt.Bucket, d server.Device) error {
	if d.ID == "" {
		return fmt.Errorf("boltstore: device without an ID")
	}
	v, err := json.Marshal(deviceRecordOf(d))
	if err != nil {
		return err
	}
	return b.Bucket(bucketDevices).Put([]byte(d.ID), v)
}
