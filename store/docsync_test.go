package store

import (
	"bytes"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/store/ocr/ocrtest"
)

// dropContent removes a document's stored file, as on a workstation whose
// record came by sync before the file.
func dropContent(t *testing.T, f *fixture, id core.ID) {
	t.Helper()
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketDocFiles).Delete(id.Bytes()) }))
}

// Pieces of a file whose record is here are kept once each; the last
// makes the file whole and checked; pieces that do not add up to the
// record's digest are dropped with ErrCorrupt, to be fetched again.
func TestDocumentPiecesApplyOnce(t *testing.T) {
	f, p := docFixture(t)
	data := append(ocrtest.PNG("Ultrasound"), bytes.Repeat([]byte("abdomen "), 40_000)...) // three pieces
	d, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocImaging, Title: "Ultrasound", Data: data})
	must(t, err)
	count := Pieces(d)
	pieces := make([][]byte, count)
	for i := range pieces {
		piece, n, err := f.doctor.DocumentPiece(d.ID, i)
		must(t, err)
		if n != count {
			t.Fatalf("DocumentPiece says %d pieces, want %d", n, count)
		}
		pieces[i] = piece
	}
	if !bytes.Equal(bytes.Join(pieces, nil), data) {
		t.Fatal("the pieces do not make up the file")
	}
	if send, _ := f.doctor.DocumentsToSend(); len(send) != 1 {
		t.Fatalf("to send: %v", send)
	}
	dropContent(t, f, d.ID)
	if fetch, _ := f.doctor.DocumentsToFetch(); len(fetch) != 1 || fetch[0].ID != d.ID {
		t.Fatalf("to fetch: %v", fetch)
	}
	// A wrong last piece: everything received is dropped.
	for i := range count {
		piece := pieces[i]
		if i == count-1 {
			piece = bytes.ToUpper(piece)
		}
		_, _, err := f.doctor.PutDocumentPiece(d.ID, i, piece)
		if i < count-1 {
			must(t, err)
		} else if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a file that does not match its digest: %v", err)
		}
	}
	if here, _ := f.doctor.PiecesHere(d.ID, count); here[0] {
		t.Fatal("pieces of a bad file were kept")
	}
	applied := 0
	for _, i := range []int{2, 0, 0, 1, 1} { // resends after cut links
		ok, whole, err := f.doctor.PutDocumentPiece(d.ID, i, pieces[i])
		must(t, err)
		if ok {
			applied++
		}
		if whole != (applied == count) {
			t.Fatalf("after %d pieces applied whole is %v", applied, whole)
		}
	}
	if applied != count {
		t.Errorf("%d pieces applied, want each of %d once", applied, count)
	}
	if _, got, err := f.doctor.DocumentContent(d.ID); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the file after sync: %v", err)
	}
	if ok, whole, err := f.doctor.PutDocumentPiece(d.ID, 1, pieces[1]); ok || !whole || err != nil {
		t.Errorf("a piece of a whole file: applied %v, whole %v, %v", ok, whole, err)
	}
	if send, _ := f.doctor.DocumentsToSend(); len(send) != 0 {
		t.Errorf("a file that came from the server is to be sent back: %v", send)
	}
}
