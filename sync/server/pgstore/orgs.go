package pgstore

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// RegisterOrg creates an organisation with its first device.
func (s *Store) RegisterOrg(ctx context.Context, org server.Org, first server.Device) error {
	if org.ID == "" {
		return fmt.Errorf("%w: no organisation ID", server.ErrUnknownOrg)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO orgs (id, root_key, min_epoch, created) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, org.ID, nonNil(org.RootKey), int64(org.MinEpoch), org.Created)
		if err != nil {
			return failed("registering organisation "+org.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s", server.ErrOrgExists, org.ID)
		}
		return insertDevice(ctx, tx, org.ID, first)
	})
}

// Org returns an organisation.
func (s *Store) Org(ctx context.Context, id string) (server.Org, error) {
	o := server.Org{ID: id}
	var (
		root     []byte
		minEpoch int64
	)
	err := s.pool.QueryRow(ctx, `SELECT root_key, min_epoch, created FROM orgs WHERE id = $1`, id).
		Scan(&root, &minEpoch, &o.Created)
	switch {
	case isNoRows(err):
		return server.Org{}, unknownOrg(id)
	case err != nil:
		return server.Org{}, failed("reading organisation "+id, err)
	}
	o.RootKey, o.MinEpoch, o.Created = ed25519.PublicKey(root), uint32(minEpoch), o.Created.UTC()
	return o, nil
}

// orgState is what a transaction that changes an organisation's log or
// epoch reads as it locks the organisation's row.
type orgState struct {
	minEpoch uint32
	head     uint64
}

// lockOrg locks an organisation's row for the rest of tx and reads it.
// Every transaction that changes the organisation's log or epoch starts
// here, so they take turns per organisation: server sequences are handed
// out and committed in one order, and a check made under the lock (a
// device's last sequence, the minimum epoch) still holds at commit.
// FOR NO KEY UPDATE rather than FOR UPDATE lets devices be added (whose
// foreign key only shares the row) while a push holds it.
func lockOrg(ctx context.Context, tx pgx.Tx, org string) (orgState, error) {
	var (
		st       orgState
		minEpoch int64
		head     int64
	)
	err := tx.QueryRow(ctx, `SELECT min_epoch, head FROM orgs WHERE id = $1 FOR NO KEY UPDATE`, org).Scan(&minEpoch, &head)
	switch {
	case isNoRows(err):
		return st, unknownOrg(org)
	case err != nil:
		return st, failed("locking organisation "+org, err)
	}
	st.minEpoch, st.head = uint32(minEpoch), uint64(head)
	return st, nil
}

// orgExists reports whether an organisation is registered.
func (s *Store) orgExists(ctx context.Context, org string) error {
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM orgs WHERE id = $1`, org).Scan(&one)
	switch {
	case isNoRows(err):
		return unknownOrg(org)
	case err != nil:
		return failed("reading organisation "+org, err)
	}
	return nil
}

func unknownOrg(id string) error {
	if id == "" {
		return fmt.Errorf("%w: no organisation ID", server.ErrUnknownOrg)
	}
	return fmt.Errorf("%w: %s", server.ErrUnknownOrg, id)
}

// utc is t in UTC, or the zero time for a NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
