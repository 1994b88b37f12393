package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// PutInvite keeps a sealed invitation until it expires.
func (s *Store) PutInvite(ctx context.Context, inv server.Invite, now time.Time) error {
	if len(inv.ID) == 0 {
		return fmt.Errorf("pgstore: invitation without an ID")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// The organisation's row is the turn its puts take, so that two
		// at once cannot both pass the limit.
		if _, err := lockOrg(ctx, tx, inv.Org); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM invites WHERE expires <= $1`, now); err != nil {
			return failed("forgetting expired invitations", err)
		}
		var waiting int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM invites WHERE org = $1 AND expires > $2`, inv.Org, now).Scan(&waiting); err != nil {
			return failed("counting invitations", err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO invites (id, org, device, blob, created, expires)
			SELECT $1, $2, $3, $4, $5, $6 WHERE $7
			ON CONFLICT (id) DO NOTHING`,
			inv.ID, inv.Org, inv.Device, nonNil(inv.Blob), inv.Created, inv.Expires, waiting < server.MaxPendingInvites)
		if err != nil {
			return failed("keeping an invitation", err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return s.keptInvite(ctx, tx, inv, waiting)
	})
}

// keptInvite says why inv was not inserted: the same invitation is kept
// (a retry, fine), another one has its ID, or the organisation has too
// many waiting.
func (s *Store) keptInvite(ctx context.Context, tx pgx.Tx, inv server.Invite, waiting int) error {
	var (
		org  string
		blob []byte
	)
	err := tx.QueryRow(ctx, `SELECT org, blob FROM invites WHERE id = $1`, inv.ID).Scan(&org, &blob)
	switch {
	case isNoRows(err):
		return fmt.Errorf("%w: organisation %s has %d", server.ErrTooManyInvites, inv.Org, waiting)
	case err != nil:
		return failed("reading an invitation", err)
	case org == inv.Org && bytes.Equal(blob, inv.Blob):
		return nil // the same invitation again: a retry
	}
	// The ID takes the invitation: it stays out of messages, which reach
	// the server's log.
	return server.ErrInviteExists
}

// TakeInvite returns a kept invitation and forgets it, in one statement:
// of concurrent takers, in any number of processes, one deletes the row.
func (s *Store) TakeInvite(ctx context.Context, id []byte, now time.Time) (server.Invite, error) {
	inv := server.Invite{ID: append([]byte(nil), id...)}
	err := s.pool.QueryRow(ctx, `DELETE FROM invites WHERE id = $1 RETURNING org, device, blob, created, expires`, nonNil(id)).
		Scan(&inv.Org, &inv.Device, &inv.Blob, &inv.Created, &inv.Expires)
	switch {
	case isNoRows(err):
		return server.Invite{}, server.ErrUnknownInvite
	case err != nil:
		return server.Invite{}, failed("taking an invitation", err)
	case !now.Before(inv.Expires):
		return server.Invite{}, server.ErrUnknownInvite
	}
	inv.Created, inv.Expires = inv.Created.UTC(), inv.Expires.UTC()
	return inv, nil
}
