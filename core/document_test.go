package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// sampleFile is a small file's bytes and their digest.
var sampleFile = []byte("Haemoglobin 13.2 g/dL\n")

func sampleSHA(tb testing.TB) string {
	tb.Helper()
	sum := sha256.Sum256(sampleFile)
	return hex.EncodeToString(sum[:])
}

func validDocument(tb testing.TB) *Document {
	tb.Helper()
	return &Document{
		Meta: sampleMeta(40), PatientID: sampleID(1), Title: "Blood count, March", MIMEType: "text/plain",
		SizeBytes: int64(len(sampleFile)), SHA256: sampleSHA(tb), Content: []byte{0x01, 0x02, 0xff, 0x00},
		ExtractedText: string(sampleFile), UploadedBy: "nurse.kim",
	}
}

func TestDocumentValidate(t *testing.T) {
	assertValid(t, validDocument(t))
	for _, mt := range FileTypes {
		t.Run(mt, func(t *testing.T) {
			d := validDocument(t)
			d.MIMEType = mt
			assertValid(t, d)
		})
	}
	t.Run("largest allowed", func(t *testing.T) {
		d := validDocument(t)
		d.SizeBytes = MaxFileBytes
		assertValid(t, d)
	})
	runInvalid(t, validDocument, []invalidCase[*Document]{
		{"no patient", func(d *Document) { d.PatientID = "" }, []string{"patient"}},
		{"no title", func(d *Document) { d.Title = "" }, []string{"title"}},
		{"long title", func(d *Document) { d.Title = strings.Repeat("x", 201) }, []string{"title"}},
		{"no type", func(d *Document) { d.MIMEType = "" }, []string{"mime_type"}},
		{"disallowed type", func(d *Document) { d.MIMEType = "application/x-msdownload" }, []string{"mime_type"}},
		{"empty", func(d *Document) { d.SizeBytes = 0 }, []string{"size_bytes"}},
		{"over 20 MiB", func(d *Document) { d.SizeBytes = MaxFileBytes + 1 }, []string{"size_bytes"}},
		{"no digest", func(d *Document) { d.SHA256 = "" }, []string{"sha256"}},
		{"short digest", func(d *Document) { d.SHA256 = d.SHA256[:63] }, []string{"sha256"}},
		{"upper-case digest", func(d *Document) { d.SHA256 = strings.ToUpper(d.SHA256) }, []string{"sha256"}},
		{"not hex", func(d *Document) { d.SHA256 = strings.Repeat("g", 64) }, []string{"sha256"}},
		{"oversized content", func(d *Document) { d.Content = make([]byte, maxSealedBytes+1) }, []string{"content"}},
		{"oversized text", func(d *Document) { d.ExtractedText = strings.Repeat("x", MaxFileBytes+1) }, []string{"extracted_text"}},
		{"no uploader", func(d *Document) { d.UploadedBy = "" }, []string{"uploaded_by"}},
	})
}
