package client_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/ocr/ocrtest"
)

// openPieceWith opens a document piece as sync/client seals it (epoch ‖
// nonce ‖ sealed, bound to blob, index and count) under the piece key
// derived from key; ok is false when it does not open.
func openPieceWith(key, blob []byte, index, count uint32, v []byte) ([]byte, bool) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("medisecure document piece v1"))
	aead, err := chacha20poly1305.NewX(mac.Sum(nil))
	n := 4 + chacha20poly1305.NonceSizeX
	if err != nil || len(v) < n+aead.Overhead() {
		return nil, false
	}
	ad := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(append([]byte{}, blob...), index), count)
	plain, err := aead.Open(nil, v[4:n], v[n:], ad)
	return plain, err == nil
}

// A document's pieces on the sync server are sealed under the
// organisation's clinical key: the doctor's key opens them (the control
// that the walk finds them), while the keys a reception login holds (the
// org key of the epoch, as pieces were sealed before) open none.
func TestReceptionKeysOpenNoDocumentPieceInTheServerFile(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a := wss[0]
	doc := doctorOf(t, a)
	p, err := doc.AddPatient(core.Patient{Name: "Ivo Lund", DOB: "1958-06-01"})
	must(t, err)
	_, err = doc.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: time.Date(2026, 11, 27, 10, 0, 0, 0, a.db.Zone()), Minutes: 15})
	must(t, err)
	d, err := doc.AddDocument(store.NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "Lab", Data: ocrtest.PNG("Potassium raised")})
	must(t, err)
	a.sync()
	if _, err := a.client.SyncDocuments(context.Background(), a.conn); err != nil {
		t.Fatal(err)
	}
	epoch := a.admin.Epoch()
	clinical, err := doc.DocumentPieceKey(epoch)
	must(t, err)
	desk, err := a.db.Login("desk", deskPass)
	must(t, err)
	org, err := desk.OrgKey(epoch)
	must(t, err)
	sum := sha256.Sum256(append([]byte("medisecure document blob v1"), d.ID.Bytes()...))
	blob, count := sum[:16], uint32(store.Pieces(d))
	srv.halt()
	db, err := bolt.Open(srv.path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer db.Close()
	byClinical, byOrg := 0, 0
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(b.Bucket(k))
				return nil
			}
			for at := 0; at+4 <= len(v) && at < 64; at++ {
				for i := range count {
					if _, ok := openPieceWith(clinical, blob, i, count, v[at:]); ok {
						byClinical++
					}
					if _, ok := openPieceWith(org, blob, i, count, v[at:]); ok {
						byOrg++
					}
				}
			}
			return nil
		})
	}
	must(t, db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil })
	}))
	if byClinical != int(count) {
		t.Fatalf("the clinical key opens %d of the document's %d pieces in the server's file: the walk proves nothing", byClinical, count)
	}
	if byOrg != 0 {
		t.Errorf("the org key a reception login holds opens %d pieces of a document in the server's file", byOrg)
	}
}
