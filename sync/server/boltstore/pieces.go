package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/sync/server"
)

var _ server.PieceStore = (*Store)(nil)

// bucketPieces holds documents' sealed pieces: u16 len(org) ‖ org ‖ blob
// ID ‖ u32 index → u32 count ‖ sealed piece. It is made on the first
// PutPiece, so files written before documents synced need no migration.
var bucketPieces = []byte("pieces")

// pieceKey is where a piece lives; without the index it is the prefix of
// the blob's pieces.
func pieceKey(org string, blob []byte, index *uint32) []byte {
	k := binary.BigEndian.AppendUint16(nil, uint16(len(org)))
	k = append(append(k, org...), blob...)
	if index != nil {
		k = binary.BigEndian.AppendUint32(k, *index)
	}
	return k
}

// PutPiece keeps a sealed piece; the first copy of a piece stays.
func (s *Store) PutPiece(ctx context.Context, org string, p server.Piece) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	dup := false
	err := s.write("document pieces", func(tx *bolt.Tx) error {
		if _, err := orgBucket(tx, org); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketPieces)
		if err != nil {
			return err
		}
		count, held, err := heldPieces(b, org, p.Blob)
		if err != nil {
			return err
		}
		if (len(held) > 0 && count != p.Count) || p.Index >= p.Count {
			return fmt.Errorf("%w: piece %d of %d, the blob has %d", server.ErrPieceCount, p.Index, p.Count, count)
		}
		key := pieceKey(org, p.Blob, &p.Index)
		if b.Get(key) != nil {
			dup = true
			return nil
		}
		return b.Put(key, append(binary.BigEndian.AppendUint32(nil, p.Count), p.Sealed...))
	})
	return dup, err
}

// Piece returns a kept piece.
func (s *Store) Piece(ctx context.Context, org string, blob []byte, index uint32) (server.Piece, error) {
	if err := ctx.Err(); err != nil {
		return server.Piece{}, err
	}
	var p server.Piece
	err := s.read("document pieces", func(tx *bolt.Tx) error {
		if _, err := orgBucket(tx, org); err != nil {
			return err
		}
		b := tx.Bucket(bucketPieces)
		var v []byte
		if b != nil {
			v = b.Get(pieceKey(org, blob, &index))
		}
		if v == nil {
			return server.ErrUnknownPiece
		}
		if len(v) < 5 {
			return fmt.Errorf("%w: document piece %d", server.ErrDamaged, index)
		}
		p = server.Piece{Blob: bytes.Clone(blob), Index: index, Count: binary.BigEndian.Uint32(v), Sealed: bytes.Clone(v[4:])}
		return nil
	})
	return p, err
}

// HeldPieces lists the kept pieces of a blob.
func (s *Store) HeldPieces(ctx context.Context, org string, blob []byte) (uint32, []uint32, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	var count uint32
	var held []uint32
	err := s.read("document pieces", func(tx *bolt.Tx) (err error) {
		if _, err := orgBucket(tx, org); err != nil {
			return err
		}
		if b := tx.Bucket(bucketPieces); b != nil {
			count, held, err = heldPieces(b, org, blob)
		}
		return err
	})
	return count, held, err
}

// heldPieces reads a blob's count and kept indexes.
func heldPieces(b *bolt.Bucket, org string, blob []byte) (uint32, []uint32, error) {
	prefix := pieceKey(org, blob, nil)
	var count uint32
	var held []uint32
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+4 || len(v) < 5 {
			return 0, nil, fmt.Errorf("%w: a document piece", server.ErrDamaged)
		}
		count = binary.BigEndian.Uint32(v)
		held = append(held, binary.BigEndian.Uint32(k[len(prefix):]))
	}
	return count, held, nil
}
