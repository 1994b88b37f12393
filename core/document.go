package core

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFileBytes is the largest message attachment body the clinic keeps
// sealed in one record: 20 MiB before sealing.
const MaxFileBytes = 20 << 20

// maxSealedBytes bounds the stored bytes of a file: the file after
// compression and sealing, which may grow it by a little.
const maxSealedBytes = MaxFileBytes + 1<<20

// FileTypes lists the MIME types a message attachment may have.
var FileTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain"}

// AllowedFileType reports whether mimeType is one of FileTypes.
func AllowedFileType(mimeType string) bool {
	for _, t := range FileTypes {
		if t == mimeType {
			return true
		}
	}
	return false
}

// ValidSHA256 reports whether s is a SHA-256 digest written as 64 lower-case
// hex digits.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// MaxDocumentBytes is the largest document file a chart takes: 50 MiB.
const MaxDocumentBytes = 50 << 20

// MaxDocumentText bounds the text read from one document.
const MaxDocumentText = 4 << 20

// DocumentChunkBytes is the size of the pieces a document's content is
// stored and synced in; the last piece may be shorter.
const DocumentChunkBytes = 1 << 20

// The MIME types a document may have.
const (
	MIMEPDF  = "application/pdf"
	MIMEPNG  = "image/png"
	MIMEJPEG = "image/jpeg"
	MIMETIFF = "image/tiff"
)

// DocumentType says what a document is.
type DocumentType string

// The document types.
const (
	DocLab      DocumentType = "lab"
	DocReferral DocumentType = "referral"
	DocImaging  DocumentType = "imaging"
	DocLetter   DocumentType = "letter"
	DocConsent  DocumentType = "consent"
	DocOther    DocumentType = "other"
)

// DocumentTypes lists every document type, in the order a form offers them.
var DocumentTypes = []DocumentType{DocLab, DocReferral, DocImaging, DocLetter, DocConsent, DocOther}

// Valid reports whether t is one of DocumentTypes.
func (t DocumentType) Valid() bool {
	for _, x := range DocumentTypes {
		if x == t {
			return true
		}
	}
	return false
}

// ParseDocumentType checks that s names a document type.
func ParseDocumentType(s string) (DocumentType, error) {
	t := DocumentType(s)
	if !t.Valid() {
		return "", &ValidationError{Kind: KindDocument, Fields: []FieldError{{Field: "type", Message: "must be one of lab, referral, imaging, letter, consent, other"}}}
	}
	return t, nil
}

// TextState is how far reading a document's text has come.
type TextState string

// The text states: pending until read; read (from a PDF's text layer or by
// OCR); failed, with the reason, until a retry reads it.
const (
	TextPending TextState = "pending"
	TextRead    TextState = "read"
	TextFailed  TextState = "failed"
)

// MaxTextAttempts bounds the automatic retries of reading one document.
const MaxTextAttempts = 5

// Document is a file on the patient's chart (a scan, a lab report, a
// referral letter) with the text read from it, so that it can be searched.
// The file itself is not in the record: the store keeps it in sealed chunks
// of DocumentChunkBytes, and sync carries them apart from the records.
type Document struct {
	Meta
	PatientID ID           `json:"patient_id"`
	Type      DocumentType `json:"type"`
	Title     string       `json:"title"`
	// Date is the date on the document (the day of the lab result), not
	// the day it was added.
	Date     Date   `json:"date"`
	MIMEType string `json:"mime_type"`
	// SizeBytes is the size of the file.
	SizeBytes int64 `json:"size_bytes"`
	// SHA256 is the digest of the file, in hex.
	SHA256 string `json:"sha256"`
	// ExtractedText is the text read from the file (OCR for scans).
	ExtractedText string    `json:"extracted_text" text:"multiline"`
	TextState     TextState `json:"text_state"`
	// TextSource says how the text was read: "pdftotext" or "tesseract".
	TextSource   string    `json:"text_source"`
	TextAttempts int       `json:"text_attempts"`
	TextError    string    `json:"text_error"`
	UploadedBy   string    `json:"uploaded_by"`
	ReviewedBy   string    `json:"reviewed_by"`
	ReviewedAt   time.Time `json:"reviewed_at"`
}

func init() { register(KindDocument, func() Entity { return &Document{} }) }

// Kind is KindDocument.
func (*Document) Kind() Kind { return KindDocument }

// Chunks is how many chunks the document's content is stored in.
func (d *Document) Chunks() int {
	return int((d.SizeBytes + DocumentChunkBytes - 1) / DocumentChunkBytes)
}

// Reviewed reports whether a clinician has marked the document reviewed.
func (d *Document) Reviewed() bool { return d.ReviewedBy != "" }

// Validate checks every field and lists all that are wrong.
func (d *Document) Validate() error {
	c := &checker{kind: KindDocument}
	c.refID("patient", d.PatientID, "a patient")
	if !d.Type.Valid() {
		c.add("type", "must be one of lab, referral, imaging, letter, consent, other")
	}
	if c.require("title", d.Title) {
		c.maxLen("title", d.Title, 200)
	}
	c.optDay("date", d.Date)
	switch d.MIMEType {
	case MIMEPDF, MIMEPNG, MIMEJPEG, MIMETIFF:
	default:
		c.add("mime_type", "must be a PDF, PNG, JPEG or TIFF file")
	}
	if d.SizeBytes < 1 || d.SizeBytes > MaxDocumentBytes {
		c.add("size_bytes", fmt.Sprintf("must be between 1 and %d (50 MiB)", MaxDocumentBytes))
	}
	if c.require("sha256", d.SHA256) && !ValidSHA256(d.SHA256) {
		c.add("sha256", "must be 64 lower-case hex digits")
	}
	if len(d.ExtractedText) > MaxDocumentText {
		c.add("extracted_text", "must be at most 4 MiB")
	}
	switch d.TextState {
	case TextPending, TextRead:
	case TextFailed:
		c.require("text_error", d.TextError)
	default:
		c.add("text_state", "must be pending, read or failed")
	}
	c.maxLen("text_error", d.TextError, 500)
	if d.TextAttempts < 0 || d.TextAttempts > 1000 {
		c.add("text_attempts", "must be between 0 and 1000")
	}
	c.staff("uploaded_by", d.UploadedBy)
	c.optStaff("reviewed_by", d.ReviewedBy)
	if d.ReviewedBy != "" && d.ReviewedAt.IsZero() {
		c.add("reviewed_at", "is required once reviewed")
	}
	c.freeText(d)
	return c.err()
}

// ErrFileRefused is returned when a file cannot become a document: the
// wrong kind of file, a damaged one, an empty one or one too large.
var ErrFileRefused = NewError(ClassValidation, "core: file refused")

// refused is an ErrFileRefused with the sentence a user reads.
func refused(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFileRefused, fmt.Sprintf(format, a...))
}

// SniffDocument decides a document file's type from its content, never its
// name, and checks that the file is whole enough to read: a PNG or JPEG
// must decode its header, a TIFF must point at its first directory inside
// the file, a PDF must end with its end-of-file marker. Anything else, an
// empty file or one over MaxDocumentBytes is refused with ErrFileRefused.
func SniffDocument(data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", refused("the file is empty")
	case len(data) > MaxDocumentBytes:
		return "", refused("the file is %.1f MiB, more than the 50 MiB a document may be", float64(len(data))/(1<<20))
	case bytes.HasPrefix(data, []byte("%PDF-")):
		tail := data[max(0, len(data)-2048):]
		if !bytes.Contains(tail, []byte("%%EOF")) {
			return "", refused("the PDF is damaged or cut short (it has no end-of-file marker)")
		}
		return MIMEPDF, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		if err := wholeImage(data, "PNG", png.DecodeConfig, png.Decode); err != nil {
			return "", err
		}
		return MIMEPNG, nil
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		if err := wholeImage(data, "JPEG", jpeg.DecodeConfig, jpeg.Decode); err != nil {
			return "", err
		}
		return MIMEJPEG, nil
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		if !tiffWhole(data) {
			return "", refused("the TIFF image is damaged or cut short")
		}
		return MIMETIFF, nil
	}
	return "", refused("the file is not a PDF, PNG, JPEG or TIFF (its content says so, whatever its name)")
}

// maxImagePixels bounds the images a document may hold (a 50 MiB file
// can claim far more pixels than it has, to exhaust memory on decoding):
// 200 megapixels is an A4 page at 1200 dpi, and then some.
const maxImagePixels = 200_000_000

// wholeImage decodes an image fully, so a damaged or cut file is refused
// when it is added rather than when someone needs it, after checking from
// its header that decoding it stays within memory.
func wholeImage(data []byte, name string, config func(io.Reader) (image.Config, error), decode func(io.Reader) (image.Image, error)) error {
	cfg, err := config(bytes.NewReader(data))
	if err != nil {
		return refused("the %s image is damaged and cannot be read", name)
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return refused("the %s image is %d×%d pixels, more than a document scan may be", name, cfg.Width, cfg.Height)
	}
	if _, err := decode(bytes.NewReader(data)); err != nil {
		return refused("the %s image is damaged and cannot be read", name)
	}
	return nil
}

// tiffWhole reports whether a TIFF's first image directory lies inside the
// file with all its entries.
func tiffWhole(data []byte) bool {
	if len(data) < 8 {
		return false
	}
	var order binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		order = binary.BigEndian
	}
	off := uint64(order.Uint32(data[4:8]))
	if off < 8 || off+2 > uint64(len(data)) {
		return false
	}
	n := uint64(order.Uint16(data[off : off+2]))
	return n > 0 && off+2+n*12 <= uint64(len(data))
}

// CleanExtractedText makes text read from a file (by pdftotext or OCR) safe
// free text: page breaks and carriage returns become line breaks, other
// control characters, escape sequences and bidi overrides are dropped,
// invalid UTF-8 is replaced, trailing space on each line and blank runs of
// more than one line are removed, and the whole is cut to MaxDocumentText.
func CleanExtractedText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n").Replace(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unsafeRune(r) {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			blank++
			if blank > 1 || b.Len() == 0 {
				continue
			}
		} else {
			blank = 0
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	out := strings.TrimRight(b.String(), "\n")
	if len(out) > MaxDocumentText {
		cut := MaxDocumentText
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return out
}
