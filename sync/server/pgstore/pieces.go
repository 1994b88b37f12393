package pgstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

var _ server.PieceStore = (*Store)(nil)

// PutPiece keeps a sealed piece; the first copy of a piece stays. The
// blob's count is the one its first kept piece brought: a piece that
// disagrees is refused, also when both arrive at once through two
// servers (the blobs row decides).
func (s *Store) PutPiece(ctx context.Context, org string, p server.Piece) (bool, error) {
	if p.Index >= p.Count {
		if err := s.orgExists(ctx, org); err != nil {
			return false, err
		}
		return false, fmt.Errorf("%w: piece %d of %d", server.ErrPieceCount, p.Index, p.Count)
	}
	dup := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO blobs (org, blob, count) VALUES ($1, $2, $3) ON CONFLICT (org, blob) DO NOTHING`,
			org, nonNil(p.Blob), int64(p.Count))
		switch {
		case hasCode(err, codeForeignKey):
			return unknownOrg(org)
		case err != nil:
			return failed("keeping a document piece", err)
		}
		var count int64
		if err := tx.QueryRow(ctx, `SELECT count FROM blobs WHERE org = $1 AND blob = $2`, org, nonNil(p.Blob)).Scan(&count); err != nil {
			return failed("keeping a document piece", err)
		}
		if uint32(count) != p.Count {
			return fmt.Errorf("%w: piece %d of %d, the blob has %d", server.ErrPieceCount, p.Index, p.Count, count)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO pieces (org, blob, idx, sealed) VALUES ($1, $2, $3, $4) ON CONFLICT (org, blob, idx) DO NOTHING`,
			org, nonNil(p.Blob), int64(p.Index), nonNil(p.Sealed))
		if err != nil {
			return failed("keeping a document piece", err)
		}
		dup = tag.RowsAffected() == 0
		return nil
	})
	return dup, err
}

// Piece returns a kept piece.
func (s *Store) Piece(ctx context.Context, org string, blob []byte, index uint32) (server.Piece, error) {
	p := server.Piece{Blob: bytes.Clone(blob), Index: index}
	var count int64
	err := s.pool.QueryRow(ctx, `SELECT b.count, p.sealed FROM pieces p JOIN blobs b ON b.org = p.org AND b.blob = p.blob
		WHERE p.org = $1 AND p.blob = $2 AND p.idx = $3`, org, nonNil(blob), int64(index)).Scan(&count, &p.Sealed)
	switch {
	case isNoRows(err):
		if err := s.orgExists(ctx, org); err != nil {
			return server.Piece{}, err
		}
		return server.Piece{}, server.ErrUnknownPiece
	case err != nil:
		return server.Piece{}, failed("reading a document piece", err)
	}
	p.Count = uint32(count)
	return p, nil
}

// HeldPieces lists the kept pieces of a blob.
func (s *Store) HeldPieces(ctx context.Context, org string, blob []byte) (uint32, []uint32, error) {
	if err := s.orgExists(ctx, org); err != nil {
		return 0, nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT b.count, p.idx FROM blobs b JOIN pieces p ON p.org = b.org AND p.blob = b.blob
		WHERE b.org = $1 AND b.blob = $2 ORDER BY p.idx`, org, nonNil(blob))
	if err != nil {
		return 0, nil, failed("listing document pieces", err)
	}
	defer rows.Close()
	var (
		count uint32
		held  []uint32
	)
	for rows.Next() {
		var c, idx int64
		if err := rows.Scan(&c, &idx); err != nil {
			return 0, nil, failed("listing document pieces", err)
		}
		count = uint32(c)
		held = append(held, uint32(idx))
	}
	if err := rows.Err(); err != nil {
		return 0, nil, failed("listing document pieces", err)
	}
	return count, held, nil
}
