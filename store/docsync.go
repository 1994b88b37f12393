package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// PieceBytes is the size of the pieces a document's content travels to
// and from the sync server in: small enough that a link cut every few
// hundred kilobytes still gets pieces through, and a cut resends one piece
// at most. A stored chunk is exactly 8 pieces.
const PieceBytes = 128 << 10

// Local buckets of document sync, created on first use: bucketDocSent
// marks the documents whose every piece the server acknowledged (document
// ID → nothing); bucketDocPartial holds the pieces received of documents
// not yet whole (document ID ‖ u32 index → the piece, sealed).
var (
	bucketDocSent    = []byte("doc_sent")
	bucketDocPartial = []byte("doc_partial")
)

// Pieces is the number of pieces of a document's content.
func Pieces(d core.Document) int { return int((d.SizeBytes + PieceBytes - 1) / PieceBytes) }

// DocumentsToSend lists the documents whose content is here and not yet
// all acknowledged by the sync server. The sync client calls it as the
// device: it seals what it sends, and no person sees it.
func (s *Session) DocumentsToSend() ([]core.ID, error) {
	var out []core.ID
	err := s.view(func(t *txn) error {
		files := t.tx.Bucket(bucketDocFiles)
		if files == nil {
			return nil
		}
		sent := t.tx.Bucket(bucketDocSent)
		return files.ForEach(func(k, _ []byte) error {
			if sent == nil || sent.Get(k) == nil {
				out = append(out, core.ID(hex.EncodeToString(k)))
			}
			return nil
		})
	})
	return out, err
}

// MarkDocumentSent records that the server acknowledged every piece of a
// document's content.
func (s *Session) MarkDocumentSent(id core.ID) error {
	return s.db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDocSent)
		if err != nil {
			return err
		}
		return b.Put(id.Bytes(), nil)
	})
}

// DocumentsToFetch lists the documents whose record is here and whose
// content is not, oldest first: the sync client fetches them in the
// background, or one on demand when someone opens it.
func (s *Session) DocumentsToFetch() ([]core.Document, error) {
	var out []core.Document
	err := s.view(func(t *txn) error {
		return t.each(core.KindDocument, func(rec *core.Record) error {
			if !rec.Exists() || rec.Deleted() {
				return nil
			}
			var d core.Document
			if err := rec.Decode(&d); err != nil {
				return err
			}
			if list, err := t.chunkList(d.ID); err != nil || list != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// DocumentPiece returns piece index of a document's content and the
// number of pieces, read from its stored chunks, for the sync client.
func (s *Session) DocumentPiece(id core.ID, index int) ([]byte, int, error) {
	var piece []byte
	var count int
	err := s.view(func(t *txn) error {
		var d core.Document
		if err := t.get(id, &d); err != nil {
			return err
		}
		count = Pieces(d)
		if index < 0 || index >= count {
			return fmt.Errorf("%w: piece %d of document %s, which has %d", core.ErrInvalid, index, id, count)
		}
		list, err := t.chunkList(id)
		if err != nil {
			return err
		}
		per := core.DocumentChunkBytes / PieceBytes
		at := (index / per) * chunkKeySize
		if list == nil || at+chunkKeySize > len(list) {
			return fmt.Errorf("%w (document %s)", ErrNoContent, id)
		}
		key := list[at : at+chunkKeySize]
		var sealed []byte
		if b := t.tx.Bucket(bucketDocChunks); b != nil {
			sealed = b.Get(key)
		}
		dk, err := t.docKeys()
		if err != nil {
			return err
		}
		chunk, err := dk.open(bucketDocChunks, key, sealed)
		if err != nil {
			return corrupt(fmt.Sprintf("content of document %s", id), nil)
		}
		off := (index % per) * PieceBytes
		if off >= len(chunk) {
			return corrupt(fmt.Sprintf("content of document %s", id), errors.New("a chunk is short"))
		}
		piece = bytes.Clone(chunk[off:min(off+PieceBytes, len(chunk))])
		return nil
	})
	return piece, count, err
}

// partialKey is where a received piece waits.
func partialKey(id core.ID, index int) []byte {
	return binary.BigEndian.AppendUint32(id.Bytes(), uint32(index))
}

// PutDocumentPiece keeps one received piece of a document's content, once:
// a piece already here (or a document already whole) is not applied again
// and applied is false. When the last piece arrives the content is checked
// against the record's size and digest and stored in chunks (whole is
// true); content that does not match is dropped with ErrCorrupt, to be
// fetched again.
func (s *Session) PutDocumentPiece(id core.ID, index int, data []byte) (applied, whole bool, err error) {
	mismatch := false
	err = s.update(func(t *txn) error {
		var d core.Document
		if err := t.get(id, &d); err != nil {
			return err
		}
		count := Pieces(d)
		if index < 0 || index >= count || len(data) > PieceBytes || len(data) == 0 {
			return fmt.Errorf("%w: piece %d (%d bytes) of document %s, which has %d", core.ErrInvalid, index, len(data), id, count)
		}
		if list, err := t.chunkList(id); err != nil || list != nil {
			whole = list != nil
			return err
		}
		b, err := t.tx.CreateBucketIfNotExists(bucketDocPartial)
		if err != nil {
			return err
		}
		dk, err := t.docKeys()
		if err != nil {
			return err
		}
		key := partialKey(id, index)
		if b.Get(key) == nil {
			applied = true
			if err := b.Put(key, dk.seal(bucketDocPartial, key, data)); err != nil {
				return err
			}
		}
		content, have, err := t.partial(b, id, count)
		if err != nil || have < count {
			return err
		}
		for i := range count {
			if err := b.Delete(partialKey(id, i)); err != nil {
				return err
			}
		}
		sum := sha256.Sum256(content)
		if int64(len(content)) != d.SizeBytes || hex.EncodeToString(sum[:]) != d.SHA256 {
			mismatch = true // the pieces go, and the error is said after the commit
			return nil
		}
		whole = true
		if err := t.putContent(id, content); err != nil {
			return err
		}
		// It came from the server, which holds every piece of it.
		sent, err := t.tx.CreateBucketIfNotExists(bucketDocSent)
		if err != nil {
			return err
		}
		return sent.Put(id.Bytes(), nil)
	})
	if err == nil && mismatch {
		return applied, false, corrupt(fmt.Sprintf("content of document %s as received", id), errors.New("it does not match its digest"))
	}
	return applied, whole, err
}

// partial gathers the pieces received of a document: the content when all
// count are here, and how many are.
func (t *txn) partial(b *bolt.Bucket, id core.ID, count int) ([]byte, int, error) {
	dk, err := t.docKeys()
	if err != nil {
		return nil, 0, err
	}
	var content []byte
	have := 0
	for i := range count {
		key := partialKey(id, i)
		v := b.Get(key)
		if v == nil {
			continue
		}
		have++
		piece, err := dk.open(bucketDocPartial, key, v)
		if err != nil {
			return nil, 0, corrupt(fmt.Sprintf("a received piece of document %s", id), nil)
		}
		content = append(content, piece...)
	}
	return content, have, nil
}

// PiecesHere reports which pieces of a document not yet whole have
// arrived, so a fetch cut short asks only for the others.
func (s *Session) PiecesHere(id core.ID, count int) ([]bool, error) {
	out := make([]bool, count)
	err := s.view(func(t *txn) error {
		b := t.tx.Bucket(bucketDocPartial)
		if b == nil {
			return nil
		}
		for i := range count {
			out[i] = b.Get(partialKey(id, i)) != nil
		}
		return nil
	})
	return out, err
}

// DocumentPieceKey returns the key that document pieces of an epoch are
// sealed under on their way through the sync server: the organisation's
// clinical key of the epoch (with this device's share of it), as for the
// document records, so neither the server nor a login without the clinical
// key opens a piece. It returns ErrSealed when the session holds none.
func (s *Session) DocumentPieceKey(epoch int) ([]byte, error) {
	if k := s.orgClassKey(epoch, sealClinical); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: document pieces of epoch %d open only to the clinical key", ErrSealed, epoch)
}
