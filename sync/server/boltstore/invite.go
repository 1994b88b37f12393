package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

var _ server.InviteStore = (*Store)(nil)

// The invitations' buckets. They are made on the first PutInvite, so that
// files of schema 1 written before invitations existed need no migration:
//
//	bucketInvites: invitation ID → the invitation (see encodeInvite)
//	bucketInviteTimes: u64 expiry (Unix ms) ‖ ID → nothing, to forget
//	  expired invitations in order
//	bucketInviteOrgs: u16 len(org) ‖ org ‖ ID → u64 expiry (Unix ms), to
//	  count an organisation's waiting invitations
var (
	bucketInvites     = []byte("invites")
	bucketInviteTimes = []byte("invite_times")
	bucketInviteOrgs  = []byte("invite_orgs")
)

// PutInvite keeps a sealed invitation until it expires.
func (s *Store) PutInvite(ctx context.Context, inv server.Invite, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(inv.ID) == 0 {
		return fmt.Errorf("boltstore: invitation without an ID")
	}
	return s.write("invitations", func(tx *bolt.Tx) error {
		if _, err := orgBucket(tx, inv.Org); err != nil {
			return err
		}
		b, err := inviteBuckets(tx)
		if err != nil {
			return err
		}
		if err := b.prune(now); err != nil {
			return err
		}
		if v := b.invites.Get(inv.ID); v != nil {
			old, err := decodeInvite(inv.ID, v)
			if err != nil {
				return err
			}
			switch {
			case expired(old, now):
				if err := b.forget(old); err != nil {
					return err
				}
			case old.Org == inv.Org && bytes.Equal(old.Blob, inv.Blob):
				return nil // the same invitation again: a retry
			default:
				// The ID takes the invitation: it stays out of messages,
				// which reach the server's log.
				return server.ErrInviteExists
			}
		}
		if n, err := b.waiting(inv.Org, now); err != nil {
			return err
		} else if n >= server.MaxPendingInvites {
			return fmt.Errorf("%w: organisation %s has %d", server.ErrTooManyInvites, inv.Org, n)
		}
		return b.keep(inv)
	})
}

// TakeInvite returns a kept invitation and forgets it.
func (s *Store) TakeInvite(ctx context.Context, id []byte, now time.Time) (server.Invite, error) {
	if err := ctx.Err(); err != nil {
		return server.Invite{}, err
	}
	var (
		inv   server.Invite
		found bool
	)
	err := s.write("invitations", func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInvites) == nil {
			return nil
		}
		b, err := inviteBuckets(tx)
		if err != nil {
			return err
		}
		if v := b.invites.Get(id); v != nil {
			if inv, err = decodeInvite(id, v); err != nil {
				return err
			}
			if err := b.forget(inv); err != nil {
				return err
			}
			found = !expired(inv, now)
		}
		return b.prune(now)
	})
	if err != nil {
		return server.Invite{}, err
	}
	if !found {
		return server.Invite{}, server.ErrUnknownInvite
	}
	return inv, nil
}

// expired reports whether inv has expired at now.
func expired(inv server.Invite, now time.Time) bool {
	return !now.Before(inv.Expires)
}

// inviteSet is the invitations' buckets in one transaction.
type inviteSet struct {
	invites, times, orgs *bolt.Bucket
}

// inviteBuckets returns the invitations' buckets, making them in a write
// transaction when they do not exist.
func inviteBuckets(tx *bolt.Tx) (inviteSet, error) {
	var b inviteSet
	for _, p := range []struct {
		name []byte
		into **bolt.Bucket
	}{{bucketInvites, &b.invites}, {bucketInviteTimes, &b.times}, {bucketInviteOrgs, &b.orgs}} {
		bk, err := tx.CreateBucketIfNotExists(p.name)
		if err != nil {
			return inviteSet{}, fmt.Errorf("boltstore: bucket %s: %w", p.name, err)
		}
		*p.into = bk
	}
	return b, nil
}

// keep writes an invitation and its index entries.
func (b inviteSet) keep(inv server.Invite) error {
	exp := u64(uint64(inv.Expires.UnixMilli()))
	if err := b.invites.Put(inv.ID, encodeInvite(inv)); err != nil {
		return err
	}
	if err := b.times.Put(append(exp, inv.ID...), nil); err != nil {
		return err
	}
	return b.orgs.Put(inviteOrgKey(inv.Org, inv.ID), exp)
}

// forget deletes an invitation and its index entries.
func (b inviteSet) forget(inv server.Invite) error {
	if err := b.invites.Delete(inv.ID); err != nil {
		return err
	}
	if err := b.times.Delete(append(u64(uint64(inv.Expires.UnixMilli())), inv.ID...)); err != nil {
		return err
	}
	return b.orgs.Delete(inviteOrgKey(inv.Org, inv.ID))
}

// prune forgets up to pruneBatch invitations expired at now, oldest
// first.
func (b inviteSet) prune(now time.Time) error {
	limit := u64(uint64(now.UnixMilli()))
	c := b.times.Cursor()
	for range pruneBatch {
		k, _ := c.First()
		// An invitation expires at its time: a key equal to now goes too.
		if len(k) < 8 || bytes.Compare(k[:8], limit) > 0 {
			return nil
		}
		id := append([]byte(nil), k[8:]...)
		if err := c.Delete(); err != nil {
			return err
		}
		v := b.invites.Get(id)
		if v == nil {
			continue
		}
		inv, err := decodeInvite(id, v)
		if err != nil {
			return err
		}
		if err := b.invites.Delete(id); err != nil {
			return err
		}
		if err := b.orgs.Delete(inviteOrgKey(inv.Org, id)); err != nil {
			return err
		}
	}
	return nil
}

// waiting counts an organisation's invitations that have not expired at
// now, up to MaxPendingInvites.
func (b inviteSet) waiting(org string, now time.Time) (int, error) {
	prefix := inviteOrgKey(org, nil)
	n := 0
	c := b.orgs.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < server.MaxPendingInvites; k, v = c.Next() {
		if len(v) != 8 {
			return 0, fmt.Errorf("%w: invitation index entry of %d bytes", ErrCorrupt, len(v))
		}
		if now.UnixMilli() < int64(binary.BigEndian.Uint64(v)) {
			n++
		}
	}
	return n, nil
}

// inviteOrgKey is u16 len(org) ‖ org ‖ id.
func inviteOrgKey(org string, id []byte) []byte {
	k := make([]byte, 0, 2+len(org)+len(id))
	k = binary.BigEndian.AppendUint16(k, uint16(len(org)))
	k = append(k, org...)
	return append(k, id...)
}

// encodeInvite is a kept invitation's value: u16 len(org) ‖ org ‖
// u16 len(device) ‖ device ‖ u64 created (Unix ms) ‖ u64 expires (Unix ms)
// ‖ blob. Binary rather than JSON, as the blob may be a megabyte.
func encodeInvite(inv server.Invite) []byte {
	out := make([]byte, 0, 4+len(inv.Org)+len(inv.Device)+16+len(inv.Blob))
	out = binary.BigEndian.AppendUint16(out, uint16(len(inv.Org)))
	out = append(out, inv.Org...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(inv.Device)))
	out = append(out, inv.Device...)
	out = binary.BigEndian.AppendUint64(out, uint64(inv.Created.UnixMilli()))
	out = binary.BigEndian.AppendUint64(out, uint64(inv.Expires.UnixMilli()))
	return append(out, inv.Blob...)
}

// decodeInvite undoes encodeInvite, copying out of bbolt's memory.
func decodeInvite(id, v []byte) (server.Invite, error) {
	bad := fmt.Errorf("%w: invitation of %d bytes", ErrCorrupt, len(v))
	inv := server.Invite{ID: append([]byte(nil), id...)}
	var ok bool
	if inv.Org, v, ok = cutString(v); !ok {
		return server.Invite{}, bad
	}
	if inv.Device, v, ok = cutString(v); !ok {
		return server.Invite{}, bad
	}
	if len(v) < 16 {
		return server.Invite{}, bad
	}
	inv.Created = time.UnixMilli(int64(binary.BigEndian.Uint64(v))).UTC()
	inv.Expires = time.UnixMilli(int64(binary.BigEndian.Uint64(v[8:]))).UTC()
	inv.Blob = append([]byte(nil), v[16:]...)
	return inv, nil
}

// cutString reads a u16-length-prefixed string off the front of v.
func cutString(v []byte) (string, []byte, bool) {
	if len(v) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(v))
	if len(v) < 2+n {
		return "", nil, false
	}
	return string(v[2 : 2+n]), v[2+n:], true
}
