package core

import "fmt"

// MaxFileBytes is the largest document or attachment the clinic keeps: 20 MiB
// before sealing.
const MaxFileBytes = 20 << 20

// maxSealedBytes bounds the stored bytes of a file: the file after
// compression and sealing, which may grow it by a little.
const maxSealedBytes = MaxFileBytes + 1<<20

// FileTypes lists the MIME types a document or attachment may have.
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

// file checks what documents and attachments share: the type, the size
// before sealing, the digest of the plain bytes and the sealed bytes' length.
func (c *checker) file(mimeType string, size int64, sha string, content []byte) {
	if c.require("mime_type", mimeType) && !AllowedFileType(mimeType) {
		c.add("mime_type", "must be one of application/pdf, image/png, image/jpeg, text/plain")
	}
	if size < 1 || size > MaxFileBytes {
		c.add("size_bytes", fmt.Sprintf("must be between 1 and %d (20 MiB)", MaxFileBytes))
	}
	if c.require("sha256", sha) && !ValidSHA256(sha) {
		c.add("sha256", "must be 64 lower-case hex digits")
	}
	if len(content) > maxSealedBytes {
		c.add("content", "is larger than a 20 MiB file can be once sealed")
	}
}

// Document is a file on the patient's chart (a scan, a lab report, a
// referral letter) with the text read from it, so that it can be searched.
type Document struct {
	Meta
	PatientID ID     `json:"patient_id"`
	Title     string `json:"title"`
	MIMEType  string `json:"mime_type"`
	// SizeBytes is the size of the file before sealing.
	SizeBytes int64 `json:"size_bytes"`
	// SHA256 is the digest of the file before sealing, in hex.
	SHA256 string `json:"sha256"`
	// Content is the file as stored: sealed or encoded by the store, never
	// read by core. JSON carries it as base64.
	Content []byte `json:"content"`
	// ExtractedText is the text read from the file (OCR for scans).
	ExtractedText string `json:"extracted_text" text:"multiline"`
	UploadedBy    string `json:"uploaded_by"`
}

func init() { register(KindDocument, func() Entity { return &Document{} }) }

// Kind is KindDocument.
func (*Document) Kind() Kind { return KindDocument }

// Validate checks every field and lists all that are wrong.
func (d *Document) Validate() error {
	c := &checker{kind: KindDocument}
	c.refID("patient", d.PatientID, "a patient")
	if c.require("title", d.Title) {
		c.maxLen("title", d.Title, 200)
	}
	c.file(d.MIMEType, d.SizeBytes, d.SHA256, d.Content)
	if len(d.ExtractedText) > MaxFileBytes {
		c.add("extracted_text", "must be at most 20 MiB")
	}
	c.staff("uploaded_by", d.UploadedBy)
	c.freeText(d)
	return c.err()
}
