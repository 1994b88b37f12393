package core

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
		Meta: sampleMeta(40), PatientID: sampleID(1), Type: DocLab, Title: "Blood count, March", Date: "2024-03-02",
		MIMEType: MIMEPDF, SizeBytes: int64(len(sampleFile)), SHA256: sampleSHA(tb),
		ExtractedText: string(sampleFile), TextState: TextRead, TextSource: "pdftotext", UploadedBy: "nurse.kim",
	}
}

func TestDocumentValidate(t *testing.T) {
	assertValid(t, validDocument(t))
	for _, mt := range []string{MIMEPDF, MIMEPNG, MIMEJPEG, MIMETIFF} {
		t.Run(mt, func(t *testing.T) {
			d := validDocument(t)
			d.MIMEType = mt
			assertValid(t, d)
		})
	}
	t.Run("largest allowed", func(t *testing.T) {
		d := validDocument(t)
		d.SizeBytes = MaxDocumentBytes
		assertValid(t, d)
	})
	t.Run("reviewed", func(t *testing.T) {
		d := validDocument(t)
		d.ReviewedBy, d.ReviewedAt = "dr.okafor", time.Date(2024, 3, 3, 9, 0, 0, 0, time.UTC)
		assertValid(t, d)
	})
	runInvalid(t, validDocument, []invalidCase[*Document]{
		{"no patient", func(d *Document) { d.PatientID = "" }, []string{"patient"}},
		{"no type", func(d *Document) { d.Type = "" }, []string{"type"}},
		{"unknown type", func(d *Document) { d.Type = "x-ray" }, []string{"type"}},
		{"no title", func(d *Document) { d.Title = "" }, []string{"title"}},
		{"long title", func(d *Document) { d.Title = strings.Repeat("x", 201) }, []string{"title"}},
		{"bad date", func(d *Document) { d.Date = "2024-13-01" }, []string{"date"}},
		{"no file type", func(d *Document) { d.MIMEType = "" }, []string{"mime_type"}},
		{"text file", func(d *Document) { d.MIMEType = "text/plain" }, []string{"mime_type"}},
		{"empty", func(d *Document) { d.SizeBytes = 0 }, []string{"size_bytes"}},
		{"over 50 MiB", func(d *Document) { d.SizeBytes = MaxDocumentBytes + 1 }, []string{"size_bytes"}},
		{"no digest", func(d *Document) { d.SHA256 = "" }, []string{"sha256"}},
		{"short digest", func(d *Document) { d.SHA256 = d.SHA256[:63] }, []string{"sha256"}},
		{"upper-case digest", func(d *Document) { d.SHA256 = strings.ToUpper(d.SHA256) }, []string{"sha256"}},
		{"oversized text", func(d *Document) { d.ExtractedText = strings.Repeat("x", MaxDocumentText+1) }, []string{"extracted_text"}},
		{"no text state", func(d *Document) { d.TextState = "" }, []string{"text_state"}},
		{"failed without a reason", func(d *Document) { d.TextState = TextFailed }, []string{"text_error"}},
		{"no uploader", func(d *Document) { d.UploadedBy = "" }, []string{"uploaded_by"}},
		{"reviewed without a time", func(d *Document) { d.ReviewedBy = "dr.okafor" }, []string{"reviewed_at"}},
		{"escape in the text", func(d *Document) { d.ExtractedText = "ok\x1b[2J" }, []string{"extracted_text"}},
	})
}

func TestDocumentChunks(t *testing.T) {
	for _, c := range []struct {
		size int64
		want int
	}{{1, 1}, {DocumentChunkBytes, 1}, {DocumentChunkBytes + 1, 2}, {20 << 20, 20}, {MaxDocumentBytes, 50}} {
		if got := (&Document{SizeBytes: c.size}).Chunks(); got != c.want {
			t.Errorf("Chunks of %d bytes = %d, want %d", c.size, got, c.want)
		}
	}
}

// encoded returns a small image in a format.
func encoded(tb testing.TB, enc func(*bytes.Buffer, image.Image) error) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestSniffDocument(t *testing.T) {
	pngBytes := encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	jpegBytes := encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	// A little-endian TIFF header pointing at a directory of one entry.
	tiff := append([]byte("II*\x00\x08\x00\x00\x00\x01\x00"), make([]byte, 12+4)...)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", pdf, MIMEPDF}, {"png", pngBytes, MIMEPNG}, {"jpeg", jpegBytes, MIMEJPEG}, {"tiff", tiff, MIMETIFF},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := SniffDocument(c.data)
			if err != nil || got != c.want {
				t.Fatalf("SniffDocument = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	for _, c := range []struct {
		name string
		data []byte
		says string
	}{
		{"empty", nil, "empty"},
		{"text named .pdf", []byte("just some words"), "not a PDF, PNG, JPEG or TIFF"},
		{"executable", []byte("MZ\x90\x00\x03"), "not a PDF, PNG, JPEG or TIFF"},
		{"cut pdf", pdf[:20], "PDF is damaged"},
		{"cut png", pngBytes[:12], "PNG image is damaged"},
		{"cut jpeg", jpegBytes[:4], "JPEG image is damaged"},
		{"cut tiff", tiff[:10], "TIFF image is damaged"},
		{"too large", append([]byte("%PDF-"), make([]byte, MaxDocumentBytes)...), "more than the 50 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := SniffDocument(c.data)
			if !errors.Is(err, ErrFileRefused) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("SniffDocument = %v; want ErrFileRefused saying %q", err, c.says)
			}
			if msg, code := Describe(err, nil); code != 3 || strings.Contains(msg, "core:") {
				t.Errorf("Describe = %q, %d; want one sentence and exit 3", msg, code)
			}
		})
	}
}

func TestCleanExtractedText(t *testing.T) {
	in := "Page 1\r\nHaemoglobin 13.2  \f\x1b[2JPage\u202e 2\n\n\n\nend\x00\xff"
	got := CleanExtractedText(in)
	want := "Page 1\nHaemoglobin 13.2\n[2JPage 2\n\nend\uFFFD"
	if got != want {
		t.Fatalf("CleanExtractedText = %q, want %q", got, want)
	}
	if err := CheckText(KindDocument, "extracted_text", got, true); err != nil {
		t.Fatalf("cleaned text is refused: %v", err)
	}
	if long := CleanExtractedText(strings.Repeat("é", MaxDocumentText)); len(long) > MaxDocumentText || !utf8.ValidString(long) {
		t.Fatalf("long text is %d bytes or cut inside a rune", len(long))
	}
}
