package server

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"medisecure/sync/wire"
)

// PieceStore keeps the sealed pieces of documents' content (the Documents
// service). A Backend that also implements it gets the service; the server
// cannot read what it keeps. Implementations are safe for concurrent use
// and pass backendtest.RunPieces.
type PieceStore interface {
	// PutPiece keeps a piece. A piece of a blob and index already kept
	// changes nothing and reports duplicate, whatever its bytes: the
	// first copy stays. It returns ErrUnknownOrg, and ErrPieceCount when
	// p.Count differs from that of the blob's kept pieces or p.Index is
	// not below it.
	PutPiece(ctx context.Context, org string, p Piece) (duplicate bool, err error)

	// Piece returns a kept piece, or ErrUnknownOrg or ErrUnknownPiece.
	Piece(ctx context.Context, org string, blob []byte, index uint32) (Piece, error)

	// HeldPieces returns a blob's piece count and the indexes of its kept
	// pieces in order; a blob with none kept has count 0. It returns
	// ErrUnknownOrg.
	HeldPieces(ctx context.Context, org string, blob []byte) (count uint32, held []uint32, err error)
}

// Piece is one sealed piece of a document's content.
type Piece struct {
	// Blob is BlobIDSize bytes naming the file among the organisation's.
	Blob  []byte
	Index uint32
	Count uint32
	// Sealed is the piece as the workstation sealed it, opaque here.
	Sealed []byte
}

// Limits of the Documents service.
const (
	// BlobIDSize is the length of a blob ID.
	BlobIDSize = 16
	// MaxPieceBytes caps a sealed piece: 128 KiB of file and the seal,
	// with room to spare.
	MaxPieceBytes = 256 << 10
	// MaxPieces caps the pieces of one file: 50 MiB in 128 KiB pieces.
	MaxPieces = 400
)

// Errors a PieceStore returns, wrapped or as they are.
var (
	// ErrUnknownPiece is returned when a piece is not kept.
	ErrUnknownPiece = errors.New("server: no such document piece")
	// ErrPieceCount is returned when a piece's count disagrees with the
	// blob's other pieces, or its index is out of range.
	ErrPieceCount = errors.New("server: the piece does not fit the document's other pieces")
	// ErrPieceTooLarge is returned when a sealed piece exceeds
	// MaxPieceBytes.
	ErrPieceTooLarge = errors.New("server: document piece too large")
)

// documents is the Documents service of a Server whose backend keeps
// pieces.
type documents struct {
	wire.UnimplementedDocumentsServer
	s     *Server
	store PieceStore
}

// registerDocuments offers the Documents service on g when the backend
// keeps pieces; otherwise a client's call is UNIMPLEMENTED.
func (s *Server) registerDocuments(g *grpc.Server) {
	st, ok := s.backend.(PieceStore)
	if !ok {
		return
	}
	wire.RegisterDocumentsServer(g, &documents{s: s, store: st})
	s.health.SetServingStatus(wire.Documents_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
}

// checkBlob refuses a blob ID of the wrong size.
func checkBlob(id []byte) error {
	if len(id) != BlobIDSize {
		return fmt.Errorf("%w: a blob ID is %d bytes, not %d", ErrInvalid, BlobIDSize, len(id))
	}
	return nil
}

// Held lists the pieces of a blob the server keeps.
func (d *documents) Held(ctx context.Context, req *wire.HeldPiecesRequest) (*wire.HeldPiecesResponse, error) {
	c := d.s.begin("held_pieces", req.GetAuth())
	resp := &wire.HeldPiecesResponse{}
	err := func() error {
		org, _, err := d.s.authenticate(ctx, wire.Documents_Held_FullMethodName, req)
		if err != nil {
			return err
		}
		if err := checkBlob(req.GetBlobId()); err != nil {
			return err
		}
		resp.Count, resp.Held, err = d.store.HeldPieces(ctx, org.ID, req.GetBlobId())
		return err
	}()
	c.add("count", resp.Count, "held", len(resp.Held))
	return finish(c, resp, err)
}

// PutPiece keeps one sealed piece.
func (d *documents) PutPiece(ctx context.Context, req *wire.PutPieceRequest) (*wire.PutPieceResponse, error) {
	c := d.s.begin("put_piece", req.GetAuth())
	c.add("index", req.GetIndex(), "count", req.GetCount(), "bytes", len(req.GetSealed()))
	resp := &wire.PutPieceResponse{}
	err := func() error {
		org, _, err := d.s.authenticate(ctx, wire.Documents_PutPiece_FullMethodName, req)
		if err != nil {
			return err
		}
		if err := checkBlob(req.GetBlobId()); err != nil {
			return err
		}
		switch n := len(req.GetSealed()); {
		case n == 0:
			return fmt.Errorf("%w: the piece is empty", ErrInvalid)
		case n > MaxPieceBytes:
			return fmt.Errorf("%w: %d bytes, at most %d", ErrPieceTooLarge, n, MaxPieceBytes)
		}
		if req.GetCount() == 0 || req.GetCount() > MaxPieces || req.GetIndex() >= req.GetCount() {
			return fmt.Errorf("%w: piece %d of %d (at most %d)", ErrPieceCount, req.GetIndex(), req.GetCount(), MaxPieces)
		}
		resp.Duplicate, err = d.store.PutPiece(ctx, org.ID, Piece{Blob: req.GetBlobId(), Index: req.GetIndex(), Count: req.GetCount(), Sealed: req.GetSealed()})
		return err
	}()
	c.add("duplicate", resp.Duplicate)
	return finish(c, resp, err)
}

// GetPiece hands back one kept piece.
func (d *documents) GetPiece(ctx context.Context, req *wire.GetPieceRequest) (*wire.GetPieceResponse, error) {
	c := d.s.begin("get_piece", req.GetAuth())
	c.add("index", req.GetIndex())
	resp := &wire.GetPieceResponse{}
	err := func() error {
		org, _, err := d.s.authenticate(ctx, wire.Documents_GetPiece_FullMethodName, req)
		if err != nil {
			return err
		}
		if err := checkBlob(req.GetBlobId()); err != nil {
			return err
		}
		p, err := d.store.Piece(ctx, org.ID, req.GetBlobId(), req.GetIndex())
		resp.Count, resp.Sealed = p.Count, p.Sealed
		return err
	}()
	c.add("bytes", len(resp.Sealed))
	return finish(c, resp, err)
}
