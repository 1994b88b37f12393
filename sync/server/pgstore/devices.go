package pgstore

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// deviceColumns are the columns scanDevice reads, in its order.
const deviceColumns = `d.id, d.public_key, d.record, d.added, d.added_by, d.revoked_at, d.last_seq`

// AddDevice adds a device to an organisation.
func (s *Store) AddDevice(ctx context.Context, org string, d server.Device) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertDevice(ctx, tx, org, d) })
}

// insertDevice adds d to org in tx: the primary key refuses a taken ID,
// the foreign key an unknown organisation.
func insertDevice(ctx context.Context, tx pgx.Tx, org string, d server.Device) error {
	if d.ID == "" {
		return fmt.Errorf("pgstore: device without an ID")
	}
	var revokedAt *time.Time
	if d.Revoked {
		revokedAt = &d.RevokedAt
	}
	tag, err := tx.Exec(ctx, `INSERT INTO devices (org, id, public_key, record, added, added_by, revoked_at, last_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org, id) DO NOTHING`,
		org, d.ID, nonNil(d.PublicKey), nonNil(d.Record), d.Added, d.AddedBy, revokedAt, int64(d.LastSeq))
	switch {
	case hasCode(err, codeForeignKey):
		return unknownOrg(org)
	case err != nil:
		return failed("adding device "+d.ID, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("%w: %s", server.ErrDeviceExists, d.ID)
	}
	return nil
}

// Device returns one device of an organisation.
func (s *Store) Device(ctx context.Context, org, id string) (server.Device, error) {
	devs, err := devicesWhere(ctx, s.pool, org, `AND d.id = $2`, id)
	if err != nil {
		return server.Device{}, err
	}
	if len(devs) == 0 {
		return server.Device{}, fmt.Errorf("%w: %s", server.ErrUnknownDevice, id)
	}
	return devs[0], nil
}

// Devices returns an organisation's devices ordered by ID.
func (s *Store) Devices(ctx context.Context, org string) ([]server.Device, error) {
	return devicesIn(ctx, s.pool, org)
}

// querier is what reads: the pool, or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// devicesIn returns an organisation's devices ordered by ID: sorted here,
// not by the database, whose collation may not order by bytes as the
// contract (and bbolt) does.
func devicesIn(ctx context.Context, q querier, org string) ([]server.Device, error) {
	devs, err := devicesWhere(ctx, q, org, "")
	slices.SortFunc(devs, func(a, b server.Device) int { return strings.Compare(a.ID, b.ID) })
	return devs, err
}

// devicesWhere reads an organisation's devices that match the condition
// and in one query learns whether the organisation exists: the
// organisation is the left side of the join, so it gives a row even when
// no device matches.
func devicesWhere(ctx context.Context, q querier, org, cond string, args ...any) ([]server.Device, error) {
	rows, err := q.Query(ctx, `SELECT o.id, `+deviceColumns+` FROM orgs o
		LEFT JOIN devices d ON d.org = o.id `+cond+` WHERE o.id = $1`, append([]any{org}, args...)...)
	if err != nil {
		return nil, failed("reading the devices of "+org, err)
	}
	defer rows.Close()
	var (
		out   []server.Device
		found bool
	)
	for rows.Next() {
		found = true
		var (
			orgID string
			id    *string
			d     server.Device
			pub   []byte
			added *time.Time
			by    *string
			rev   *time.Time
			last  *int64
		)
		if err := rows.Scan(&orgID, &id, &pub, &d.Record, &added, &by, &rev, &last); err != nil {
			return nil, failed("reading the devices of "+org, err)
		}
		if id == nil {
			continue // no device matched
		}
		d.ID, d.PublicKey, d.Added, d.AddedBy = *id, ed25519.PublicKey(pub), utc(added), *by
		d.Revoked, d.RevokedAt, d.LastSeq = rev != nil, utc(rev), uint64(*last)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, failed("reading the devices of "+org, err)
	}
	if !found {
		return nil, unknownOrg(org)
	}
	return out, nil
}

// RevokeDevice marks a device revoked and raises the minimum epoch.
func (s *Store) RevokeDevice(ctx context.Context, org, id string, epoch uint32, at time.Time) (uint32, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		o, err := lockOrg(ctx, tx, org)
		if err != nil {
			return err
		}
		if epoch < o.minEpoch {
			return fmt.Errorf("%w: epoch %d is below %d", server.ErrStaleEpoch, epoch, o.minEpoch)
		}
		tag, err := tx.Exec(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, $3) WHERE org = $1 AND id = $2`, org, id, at)
		switch {
		case err != nil:
			return failed("revoking device "+id, err)
		case tag.RowsAffected() == 0:
			return fmt.Errorf("%w: %s", server.ErrUnknownDevice, id)
		}
		if _, err := tx.Exec(ctx, `UPDATE orgs SET min_epoch = $2 WHERE id = $1`, org, int64(epoch)); err != nil {
			return failed("raising the minimum epoch of "+org, err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return epoch, nil
}

// nonNil is b, or an empty slice for nil: BYTEA columns are NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
