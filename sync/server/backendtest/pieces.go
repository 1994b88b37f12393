package backendtest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"

	"medisecure/sync/server"
)

// RunPieces runs the conformance suite of server.PieceStore against
// backends that open returns, which must implement it: each subtest opens a
// fresh, empty one.
func RunPieces(t *testing.T, open func(t *testing.T) server.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b server.Backend, s server.PieceStore)
	}{
		{"PutGetHeld", testPutGetHeld},
		{"FirstCopyStays", testFirstCopyStays},
		{"CountMismatch", testPieceCount},
		{"OrgsIsolated", testPiecesIsolated},
		{"ConcurrentPuts", testConcurrentPuts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t)
			s, ok := b.(server.PieceStore)
			if !ok {
				t.Fatalf("%T does not implement server.PieceStore", b)
			}
			tt.fn(t, b, s)
		})
	}
}

// blob is the ID of test blob n.
func blob(n int) []byte {
	sum := sha256.Sum256(fmt.Appendf(nil, "blob %d", n))
	return sum[:server.BlobIDSize]
}

// piece is piece index of count of blob n.
func piece(n int, index, count uint32) server.Piece {
	return server.Piece{Blob: blob(n), Index: index, Count: count, Sealed: fmt.Appendf(nil, "sealed piece %d of %d of blob %d", index, count, n)}
}

func putPieceOK(t *testing.T, s server.PieceStore, org string, p server.Piece) bool {
	t.Helper()
	dup, err := s.PutPiece(ctx, org, p)
	if err != nil {
		t.Fatalf("PutPiece(%d of %d): %v", p.Index, p.Count, err)
	}
	return dup
}

func samePiece(got, want server.Piece) bool {
	return bytes.Equal(got.Blob, want.Blob) && got.Index == want.Index && got.Count == want.Count && bytes.Equal(got.Sealed, want.Sealed)
}

func testPutGetHeld(t *testing.T, b server.Backend, s server.PieceStore) {
	_, err := s.PutPiece(ctx, "org-1", piece(1, 0, 3))
	wantErr(t, "a piece for an unknown organisation", err, server.ErrUnknownOrg)
	register(t, b, "org-1")
	if count, held, err := s.HeldPieces(ctx, "org-1", blob(1)); err != nil || count != 0 || len(held) != 0 {
		t.Fatalf("HeldPieces of an unknown blob: %d, %v, %v", count, held, err)
	}
	for _, i := range []uint32{2, 0} {
		if putPieceOK(t, s, "org-1", piece(1, i, 3)) {
			t.Errorf("piece %d reported a duplicate the first time", i)
		}
	}
	count, held, err := s.HeldPieces(ctx, "org-1", blob(1))
	if err != nil || count != 3 || !slices.Equal(held, []uint32{0, 2}) {
		t.Fatalf("HeldPieces: %d, %v, %v; want 3, [0 2]", count, held, err)
	}
	got, err := s.Piece(ctx, "org-1", blob(1), 2)
	if err != nil || !samePiece(got, piece(1, 2, 3)) {
		t.Fatalf("Piece: %+v, %v", got, err)
	}
	_, err = s.Piece(ctx, "org-1", blob(1), 1)
	wantErr(t, "a piece not put", err, server.ErrUnknownPiece)
	_, err = s.Piece(ctx, "org-1", blob(2), 0)
	wantErr(t, "a piece of another blob", err, server.ErrUnknownPiece)
	_, _, err = s.HeldPieces(ctx, "org-2", blob(1))
	wantErr(t, "held pieces of an unknown organisation", err, server.ErrUnknownOrg)
}

func testFirstCopyStays(t *testing.T, b server.Backend, s server.PieceStore) {
	register(t, b, "org-1")
	first := piece(1, 0, 1)
	putPieceOK(t, s, "org-1", first)
	again := first
	again.Sealed = []byte("the same piece sealed again with a fresh nonce")
	if !putPieceOK(t, s, "org-1", again) {
		t.Error("a resent piece was not reported as a duplicate")
	}
	if got, err := s.Piece(ctx, "org-1", blob(1), 0); err != nil || !samePiece(got, first) {
		t.Errorf("after a resend the piece is %+v, %v; want the first copy", got, err)
	}
}

func testPieceCount(t *testing.T, b server.Backend, s server.PieceStore) {
	register(t, b, "org-1")
	putPieceOK(t, s, "org-1", piece(1, 0, 2))
	_, err := s.PutPiece(ctx, "org-1", piece(1, 1, 3))
	wantErr(t, "a piece with another count", err, server.ErrPieceCount)
	_, err = s.PutPiece(ctx, "org-1", piece(2, 3, 3))
	wantErr(t, "an index beyond the count", err, server.ErrPieceCount)
}

func testPiecesIsolated(t *testing.T, b server.Backend, s server.PieceStore) {
	register(t, b, "org-1")
	register(t, b, "org-12")
	putPieceOK(t, s, "org-1", piece(1, 0, 1))
	if count, held, err := s.HeldPieces(ctx, "org-12", blob(1)); err != nil || count != 0 || len(held) != 0 {
		t.Errorf("another organisation sees the piece: %d, %v, %v", count, held, err)
	}
	_, err := s.Piece(ctx, "org-12", blob(1), 0)
	wantErr(t, "another organisation's piece", err, server.ErrUnknownPiece)
}

func testConcurrentPuts(t *testing.T, b server.Backend, s server.PieceStore) {
	register(t, b, "org-1")
	const n = 16
	var wg sync.WaitGroup
	dups := make([]bool, 2*n)
	errs := make([]error, 2*n)
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dups[i], errs[i] = s.PutPiece(ctx, "org-1", piece(1, uint32(i%n), n))
		}()
	}
	wg.Wait()
	stored := 0
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("PutPiece: %v", errs[i])
		}
		if !dups[i] {
			stored++
		}
	}
	if stored != n {
		t.Errorf("%d puts stored a piece, want %d (each piece once)", stored, n)
	}
	if count, held, err := s.HeldPieces(ctx, "org-1", blob(1)); err != nil || count != n || len(held) != n {
		t.Errorf("HeldPieces: %d, %d held, %v", count, len(held), err)
	}
}
