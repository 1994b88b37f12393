package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
)

// needOCR skips a test when tesseract or poppler-utils is missing on a
// developer's machine, and fails it in CI, which installs them.
func needOCR(t *testing.T) {
	t.Helper()
	if err := ocr.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must install tesseract-ocr and poppler-utils: %v", err)
		}
		t.Skip(err)
	}
}

// docFixture is a fixture with a patient in the doctor's care.
func docFixture(t *testing.T) (*fixture, core.Patient) {
	t.Helper()
	f := newFixture(t)
	p := f.patient(t, "Greta Lindqvist", "1961-04-09", "")
	book(t, f, p.ID, "drwho", "2026-11-26 10:00", 15, "")
	return f, p
}

// countIn is the number of keys in a bucket (0 when it does not exist).
func countIn(t *testing.T, db *DB, bucket []byte) int {
	t.Helper()
	n := 0
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	}))
	return n
}

// TestDocumentsOCRSearchAndSeal adds a rendered PNG, a PDF with a text
// layer and a scanned PDF, reads their text with the real tools, finds
// each by a word with its line, and checks that the raw store file holds
// none of their words.
func TestDocumentsOCRSearchAndSeal(t *testing.T) {
	needOCR(t)
	f, p := docFixture(t)
	files := []struct {
		data []byte
		word string
		line string
	}{
		{ocrtest.PNG("Haemoglobin 13.2 g/dL", "Ferritin low, repeat in March"), "ferritin", "Ferritin low"},
		{ocrtest.TextPDF("Referral letter", "Cardiology clinic, Dr Ansbach"), "ansbach", "Cardiology clinic, Dr Ansbach"},
		{ocrtest.ScannedPDF(ocrtest.Page([]string{"Potassium raised"}), ocrtest.Page([]string{"Second page creatinine"})), "creatinine", "creatinine"},
	}
	for i, file := range files {
		d, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "Result", Data: file.data})
		must(t, err)
		if d.TextState != core.TextPending {
			t.Fatalf("file %d: new document's text is %s, want pending", i, d.TextState)
		}
		pending, err := f.doctor.PendingText()
		must(t, err)
		if len(pending) != 1 || pending[0] != d.ID {
			t.Fatalf("pending = %v, want [%s]", pending, d.ID)
		}
		if d, err = f.doctor.ReadDocumentText(context.Background(), d.ID, ocr.Engine{}, nil); err != nil {
			t.Fatalf("file %d: reading text: %v", i, err)
		}
		hits, err := f.doctor.SearchDocuments(file.word, p.ID, 10)
		must(t, err)
		if len(hits) != 1 || hits[0].Document.ID != d.ID || !strings.Contains(hits[0].Line, file.line) {
			t.Fatalf("search %q = %+v, want document %s with line %q (text %q)", file.word, hits, d.ID, file.line, d.ExtractedText)
		}
	}
	if hits, err := f.doctor.SearchDocuments("potassium creatinine", "", 10); err != nil || len(hits) != 1 {
		t.Errorf("two words over two pages: %d hits, %v", len(hits), err)
	}
	if _, err := f.desk.SearchDocuments("ferritin", "", 10); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception searched documents: %v", err)
	}
	f.db.Close()
	raw, err := os.ReadFile(f.path)
	must(t, err)
	for _, w := range []string{"Haemoglobin", "Ferritin", "ferritin", "Ansbach", "ansbach", "Cardiology", "Potassium", "creatinine", "%PDF", "IHDR"} {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("the raw store file holds %q", w)
		}
	}
	f.open(t)
	f.login(t)
	// The index survives a restart: it is read back from its sealed shards.
	if hits, err := f.doctor.SearchDocuments("ansbach", "", 10); err != nil || len(hits) != 1 {
		t.Errorf("after reopening: %d hits, %v", len(hits), err)
	}
}

// TestDocumentChunksAreSharedAndChecked stores a 3.5 MiB file twice (two
// documents, one set of chunks), gets it back whole, and finds a changed
// chunk refused.
func TestDocumentChunksAreSharedAndChecked(t *testing.T) {
	f, p := docFixture(t)
	img := ocrtest.PNG("Chest X-ray")
	data := append(img, bytes.Repeat([]byte{0x5a, 0xa5, 0x3c}, 3500<<10/3)...) // bytes after IEND are ignored by readers
	a, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocImaging, Title: "Chest X-ray", Data: data})
	must(t, err)
	if got := countIn(t, f.db, bucketDocChunks); got != 4 {
		t.Fatalf("%d chunks for a 3.5 MiB file, want 4", got)
	}
	b, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocImaging, Title: "Chest X-ray again", Data: data})
	must(t, err)
	if got := countIn(t, f.db, bucketDocChunks); got != 4 {
		t.Errorf("the same file again made %d chunks, want the same 4", got)
	}
	for _, id := range []core.ID{a.ID, b.ID} {
		_, got, err := f.doctor.DocumentContent(id)
		must(t, err)
		if !bytes.Equal(got, data) {
			t.Errorf("document %s came back as %d different bytes", id, len(got))
		}
	}
	docs, err := f.doctor.Documents(p.ID, "test")
	must(t, err)
	if len(docs) != 2 || !docs[0].CreatedAt.Equal(docs[1].CreatedAt) && docs[0].ID != b.ID {
		t.Errorf("documents = %+v", docs)
	}
	// Moving one chunk's sealed value onto another's key fails its check.
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDocChunks).Cursor()
		_, v1 := c.First()
		k2, _ := c.Next()
		v1, k2 = bytes.Clone(v1), bytes.Clone(k2)
		return tx.Bucket(bucketDocChunks).Put(k2, v1)
	}))
	if _, _, err := f.doctor.DocumentContent(a.ID); !errors.Is(err, ErrCorrupt) {
		t.Errorf("content with a moved chunk: %v, want ErrCorrupt", err)
	}
}

// TestRefusedFilesStoreNothing: a corrupt file, a file that is not a
// document and an oversized one are refused with one clear sentence (exit
// 3), and the store holds no record, chunk or outbox entry afterwards.
func TestRefusedFilesStoreNothing(t *testing.T) {
	f, p := docFixture(t)
	outbox := countIn(t, f.db, bucketOutbox)
	img := ocrtest.PNG("Haemoglobin")
	for _, c := range []struct {
		name string
		data []byte
		says string
	}{
		{"corrupt png", img[:40], "PNG image is damaged"},
		{"not a document", []byte("#!/bin/sh\nrm -rf /\n"), "not a PDF, PNG, JPEG or TIFF"},
		{"oversized", append([]byte("%PDF-1.4\n"), make([]byte, core.MaxDocumentBytes)...), "more than the 50 MiB"},
		{"empty", nil, "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "x", Data: c.data})
			msg, code := core.Describe(err, nil)
			if !errors.Is(err, core.ErrFileRefused) || code != 3 || !strings.Contains(msg, c.says) {
				t.Fatalf("AddDocument = %q (exit %d), want exit 3 saying %q", msg, code, c.says)
			}
		})
	}
	if n := countIn(t, f.db, bucketDocChunks) + countIn(t, f.db, bucketDocFiles); n != 0 {
		t.Errorf("refused files left %d chunks or chunk lists", n)
	}
	if got := countIn(t, f.db, bucketOutbox); got != outbox {
		t.Errorf("refused files wrote %d changes", got-outbox)
	}
}

// TestLabDocumentNotifiesTheDoctorAndIsReviewed: a lab document added by
// another doctor notifies the patient's doctor in the app; reviewing it
// takes its "new" mark away; every view and export is in the access log.
func TestLabDocumentNotifiesTheDoctorAndIsReviewed(t *testing.T) {
	f, p := docFixture(t)
	locum := addDoctor(t, f, "dr.locum")
	d, err := locum.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "Lipids", Date: "2026-11-20", Data: ocrtest.TextPDF("LDL 2.1")})
	must(t, err)
	var notes []core.Notification
	must(t, f.doctor.view(func(t *txn) error {
		return t.each(core.KindNotification, func(rec *core.Record) error {
			var n core.Notification
			if err := rec.Decode(&n); err != nil {
				return err
			}
			notes = append(notes, n)
			return nil
		})
	}))
	if len(notes) != 1 || notes[0].Recipient != "drwho" || notes[0].Channel != core.ChannelInApp || notes[0].PatientID != p.ID || !strings.Contains(notes[0].Body, string(d.ID)) {
		t.Fatalf("notifications = %+v, want one in-app to drwho", notes)
	}
	if _, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLetter, Title: "Letter", Data: ocrtest.TextPDF("Dear colleague")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.doctor.ReviewDocument(d.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.doctor.Document(d.ID)
	must(t, err)
	if !got.Reviewed() || got.ReviewedBy != "drwho" {
		t.Errorf("after review: %+v", got)
	}
	if _, _, err := f.doctor.DocumentContent(d.ID); err != nil {
		t.Fatal(err)
	}
	log, err := f.admin.AuditList(p.ID)
	must(t, err)
	seen := map[string]bool{}
	for _, e := range log {
		seen[e.Action+" "+e.Reason] = true
	}
	for _, want := range []string{"view document " + string(d.ID), "export document " + string(d.ID) + " saved to a file", "change document " + string(d.ID) + " reviewed", "change document added: lab"} {
		if !seen[want] {
			t.Errorf("access log lacks %q: %v", want, seen)
		}
	}
}

// TestFailedTextIsRecordedAndRetried: a reader that fails leaves the file
// and records the failure; the document stays pending for a retry, and a
// later read succeeds.
func TestFailedTextIsRecordedAndRetried(t *testing.T) {
	needOCR(t)
	f, p := docFixture(t)
	data := ocrtest.PNG("Thyroid function normal")
	d, err := f.doctor.AddDocument(NewDocument{PatientID: p.ID, Type: core.DocLab, Title: "TFT", Data: data})
	must(t, err)
	if _, err := f.doctor.ReadDocumentText(context.Background(), d.ID, ocr.Engine{Langs: "xxx"}, nil); !errors.Is(err, ocr.ErrFailed) {
		t.Fatalf("reading with a missing language: %v", err)
	}
	got, err := f.doctor.Document(d.ID)
	must(t, err)
	if got.TextState != core.TextFailed || got.TextAttempts != 1 || got.TextError == "" {
		t.Fatalf("after a failure: %s, %d attempts, %q", got.TextState, got.TextAttempts, got.TextError)
	}
	if pending, _ := f.doctor.PendingText(); len(pending) != 1 {
		t.Fatalf("failed document not pending a retry: %v", pending)
	}
	if _, content, err := f.doctor.DocumentContent(d.ID); err != nil || !bytes.Equal(content, data) {
		t.Fatalf("the file after a failed read: %v", err)
	}
	if got, err = f.doctor.ReadDocumentText(context.Background(), d.ID, ocr.Engine{}, nil); err != nil || got.TextState != core.TextRead || got.TextAttempts != 2 {
		t.Fatalf("retry: %s, %d attempts, %v", got.TextState, got.TextAttempts, err)
	}
	if hits, _ := f.doctor.SearchDocuments("thyroid", "", 5); len(hits) != 1 {
		t.Errorf("retried document not found")
	}
}
