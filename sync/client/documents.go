package client

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/wire"
)

// ErrNoDocuments is returned when the server does not offer the
// Documents service (a server older than document sync, or a backend that
// does not keep pieces).
var ErrNoDocuments = errors.New("client: the sync server does not carry document files")

// ErrPieceSeal is returned when a piece from the server does not open:
// altered, moved, or sealed under an epoch key this device lacks.
var ErrPieceSeal = errors.New("client: a document piece from the server does not open")

// DocReport says what one round of document sync moved.
type DocReport struct {
	// Sent and Fetched count the documents whose files went up whole and
	// came down whole.
	Sent, Fetched int
	// PiecesSent counts the pieces the server stored (not those it had),
	// PiecesApplied the pieces stored here (not those resent).
	PiecesSent, PiecesApplied int
	// Waiting counts the documents whose files are still not here: not yet
	// on the server, or cut off before they were whole.
	Waiting int
}

// blobID is the server's name for a document's content, as
// documents.proto defines it: nothing the server can tie to the record.
func blobID(id core.ID) []byte {
	sum := sha256.Sum256(append([]byte("medisecure document blob v1"), id.Bytes()...))
	return sum[:16]
}

// pieceKey derives the key that seals pieces from an epoch's clinical
// key (store.Session.DocumentPieceKey).
func pieceKey(orgKey []byte) []byte {
	mac := hmac.New(sha256.New, orgKey)
	mac.Write([]byte("medisecure document piece v1"))
	return mac.Sum(nil)
}

// pieceAD binds a sealed piece to its blob, index and count.
func pieceAD(blob []byte, index, count uint32) []byte {
	ad := append([]byte{}, blob...)
	ad = binary.BigEndian.AppendUint32(ad, index)
	return binary.BigEndian.AppendUint32(ad, count)
}

// sealPiece seals a piece under the current epoch's clinical key.
func (c *Client) sealPiece(blob []byte, index, count uint32, plain []byte) ([]byte, error) {
	epoch := uint32(c.s.Epoch())
	key, err := c.s.DocumentPieceKey(int(epoch))
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(pieceKey(key))
	if err != nil {
		return nil, err
	}
	out := binary.BigEndian.AppendUint32(nil, epoch)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, pieceAD(blob, index, count)), nil
}

// openPiece opens a sealed piece with the clinical key of its epoch.
func (c *Client) openPiece(blob []byte, index, count uint32, sealed []byte) ([]byte, error) {
	n := 4 + chacha20poly1305.NonceSizeX
	if len(sealed) < n+chacha20poly1305.Overhead {
		return nil, ErrPieceSeal
	}
	epoch := binary.BigEndian.Uint32(sealed)
	var keys [][]byte
	if k, err := c.s.DocumentPieceKey(int(epoch)); err == nil {
		keys = append(keys, k)
	}
	// Pieces sealed before they moved under the clinical key were sealed
	// under the epoch's org key.
	if k, ok := c.orgKey(epoch); ok {
		keys = append(keys, k)
	}
	for _, key := range keys {
		aead, err := chacha20poly1305.NewX(pieceKey(key))
		if err != nil {
			return nil, err
		}
		if plain, err := aead.Open(nil, sealed[4:n], sealed[n:], pieceAD(blob, index, count)); err == nil {
			return plain, nil
		}
	}
	return nil, ErrPieceSeal
}

// unimplemented turns UNIMPLEMENTED into ErrNoDocuments.
func unimplemented(err error) error {
	if status.Code(err) == codes.Unimplemented {
		return ErrNoDocuments
	}
	return err
}

// SyncDocuments sends the files of the documents added here that the
// server lacks, then fetches the files of documents whose records came by
// sync, all of them (in the background). Each piece is one call; a cut
// link is retried with backoff and resends only the pieces the server has
// not acknowledged, and the pieces kept here are never applied twice.
func (c *Client) SyncDocuments(ctx context.Context, conn grpc.ClientConnInterface) (DocReport, error) {
	var r DocReport
	rpc := wire.NewDocumentsClient(conn)
	send, err := c.s.DocumentsToSend()
	if err != nil {
		return r, err
	}
	for _, id := range send {
		if err := c.sendDocument(ctx, rpc, id, &r); err != nil {
			return r, err
		}
		r.Sent++
	}
	fetch, err := c.s.DocumentsToFetch()
	if err != nil {
		return r, err
	}
	for _, d := range fetch {
		whole, err := c.fetchDocument(ctx, rpc, d, &r)
		if err != nil {
			return r, err
		}
		if whole {
			r.Fetched++
		} else {
			r.Waiting++
		}
	}
	return r, nil
}

// FetchDocument fetches one document's file now (on demand, when someone
// opens it); it reports whether the file is whole here.
func (c *Client) FetchDocument(ctx context.Context, conn grpc.ClientConnInterface, id core.ID) (bool, error) {
	var r DocReport
	fetch, err := c.s.DocumentsToFetch()
	if err != nil {
		return false, err
	}
	for _, d := range fetch {
		if d.ID == id {
			return c.fetchDocument(ctx, wire.NewDocumentsClient(conn), d, &r)
		}
	}
	return c.s.HasContent(id), nil
}

// held asks which pieces of a blob the server has.
func (c *Client) held(ctx context.Context, rpc wire.DocumentsClient, blob []byte) (uint32, map[uint32]bool, error) {
	req := &wire.HeldPiecesRequest{BlobId: blob}
	c.sign(req, wire.Documents_Held_FullMethodName)
	var resp *wire.HeldPiecesResponse
	err := c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = rpc.Held(ctx, req)
		return unimplemented(err)
	})
	if err != nil {
		return 0, nil, err
	}
	have := map[uint32]bool{}
	for _, i := range resp.GetHeld() {
		have[i] = true
	}
	return resp.GetCount(), have, nil
}

// sendDocument sends the pieces of a document the server lacks, asking
// again after each cut which ones it holds.
func (c *Client) sendDocument(ctx context.Context, rpc wire.DocumentsClient, id core.ID, r *DocReport) error {
	blob := blobID(id)
	err := c.retry(ctx, func(progress func()) error {
		_, have, err := c.held(ctx, rpc, blob)
		if err != nil {
			return err
		}
		_, count, err := c.s.DocumentPiece(id, 0)
		if err != nil {
			return err
		}
		for i := range count {
			if have[uint32(i)] {
				continue
			}
			plain, _, err := c.s.DocumentPiece(id, i)
			if err != nil {
				return err
			}
			sealed, err := c.sealPiece(blob, uint32(i), uint32(count), plain)
			if err != nil {
				return err
			}
			req := &wire.PutPieceRequest{BlobId: blob, Index: uint32(i), Count: uint32(count), Sealed: sealed}
			c.sign(req, wire.Documents_PutPiece_FullMethodName)
			var resp *wire.PutPieceResponse
			if err := c.unary(ctx, func(ctx context.Context) (err error) {
				resp, err = rpc.PutPiece(ctx, req)
				return unimplemented(err)
			}); err != nil {
				return err
			}
			if !resp.GetDuplicate() {
				r.PiecesSent++
			}
			have[uint32(i)] = true
			progress()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.s.MarkDocumentSent(id)
}

// fetchDocument fetches the pieces of a document not yet here that the
// server holds, and reports whether the file is whole.
func (c *Client) fetchDocument(ctx context.Context, rpc wire.DocumentsClient, d core.Document, r *DocReport) (bool, error) {
	blob := blobID(d.ID)
	count := uint32(store.Pieces(d))
	whole := false
	err := c.retry(ctx, func(progress func()) error {
		n, have, err := c.held(ctx, rpc, blob)
		if err != nil || n == 0 {
			return err // nothing on the server yet: the author has not sent it
		}
		if n != count {
			return fmt.Errorf("%w: the server holds %d pieces of document %s, its record says %d", ErrPieceSeal, n, d.ID, count)
		}
		here, err := c.s.PiecesHere(d.ID, int(count))
		if err != nil {
			return err
		}
		for i := range count {
			if !have[i] || here[i] {
				continue
			}
			req := &wire.GetPieceRequest{BlobId: blob, Index: i}
			c.sign(req, wire.Documents_GetPiece_FullMethodName)
			var resp *wire.GetPieceResponse
			if err := c.unary(ctx, func(ctx context.Context) (err error) {
				resp, err = rpc.GetPiece(ctx, req)
				return unimplemented(err)
			}); err != nil {
				return err
			}
			plain, err := c.openPiece(blob, i, count, resp.GetSealed())
			if err != nil {
				return err
			}
			applied, done, err := c.s.PutDocumentPiece(d.ID, int(i), plain)
			if err != nil {
				return err
			}
			if applied {
				r.PiecesApplied++
			}
			whole = done
			progress()
		}
		return nil
	})
	return whole, err
}
