package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// maxRecipients bounds the addressees of one message.
const maxRecipients = 50

// Message is a secure message between members of staff, optionally about a
// patient. The store seals a copy of it to each recipient's key (Sealed), so
// only they can read it. Messages are append-only; a reply is a new message
// that names the one it answers.
type Message struct {
	Meta
	From      string   `json:"from"`
	To        []string `json:"to"`
	PatientID ID       `json:"patient_id"`
	Subject   string   `json:"subject"`
	Body      string   `json:"body" text:"multiline"`
	ReplyTo   ID       `json:"reply_to"`
	// Attachments describe the files sent with the message. Like Subject
	// and Body they are filled in only for a reader, from their sealed
	// copy; a stored message holds them only there.
	Attachments []AttachmentInfo `json:"attachments"`
	// Sealed holds a copy per user name (the recipients', and the sender's
	// own), sealed to that user's public key. Core never opens it.
	Sealed map[string][]byte `json:"sealed"`
	ReadBy []string          `json:"read_by"`
}

func init() { register(KindMessage, func() Entity { return &Message{} }) }

// Kind is KindMessage.
func (*Message) Kind() Kind { return KindMessage }

// Validate checks every field and lists all that are wrong. It needs a body,
// or sealed copies standing in for one; only the sender and recipients may
// hold a sealed copy, and only recipients can have read it.
func (m *Message) Validate() error {
	c := &checker{kind: KindMessage}
	c.staff("from", m.From)
	switch n := len(m.To); {
	case n == 0:
		c.add("to", "needs at least one recipient")
	case n > maxRecipients:
		c.add("to", fmt.Sprintf("must list at most %d recipients", maxRecipients))
	}
	to := map[string]bool{}
	for i, name := range m.To {
		field := fmt.Sprintf("to[%d]", i)
		c.staff(field, name)
		if to[name] {
			c.add(field, "repeats "+name)
		}
		to[name] = true
	}
	c.optRefID("patient", m.PatientID, "a patient")
	c.maxLen("subject", m.Subject, 200)
	if m.Body == "" && len(m.Sealed) == 0 {
		c.add("body", "is required")
	}
	c.maxLen("body", m.Body, 20000)
	c.optRefID("reply_to", m.ReplyTo, "a message")
	for _, name := range slices.Sorted(maps.Keys(m.Sealed)) {
		switch sealed := m.Sealed[name]; {
		case name != m.From && !to[name]:
			c.add("sealed", fmt.Sprintf("holds a copy for %q, who is neither sender nor recipient", name))
		case len(sealed) == 0 || len(sealed) > maxSealedBytes:
			c.add("sealed", fmt.Sprintf("holds an empty or oversized copy for %q", name))
		}
	}
	if len(m.Attachments) > maxAttachments {
		c.add("attachments", fmt.Sprintf("must be at most %d files", maxAttachments))
	}
	for i, a := range m.Attachments {
		c.attachment(fmt.Sprintf("attachments[%d].", i), a)
	}
	for i, name := range m.ReadBy {
		if !to[name] {
			c.add(fmt.Sprintf("read_by[%d]", i), "is not a recipient")
		}
	}
	c.freeText(m)
	return c.err()
}

// MaxAttachmentBytes bounds one file sent with a message. An attachment
// travels to other workstations inside one sync batch (at most 4 MiB, and
// JSON carries the sealed bytes as base64), so it is smaller than a chart
// document may be.
const MaxAttachmentBytes = 2 << 20

// maxAttachments bounds the files sent with one message.
const maxAttachments = 10

// sealOverhead is what sealing adds to a file: a nonce and a tag.
const sealOverhead = 64

// AttachmentInfo describes a file sent with a message: its name, type, size
// and digest. It travels only inside each recipient's sealed copy of the
// message, with the key that opens the file, so a stored record never shows
// even the file's name.
type AttachmentInfo struct {
	// ID is the Attachment record that holds the sealed file.
	ID       ID     `json:"id"`
	FileName string `json:"file_name"`
	MIMEType string `json:"mime_type"`
	// SizeBytes is the size of the file before sealing.
	SizeBytes int64 `json:"size_bytes"`
	// SHA256 is the digest of the file before sealing, in hex.
	SHA256 string `json:"sha256"`
}

// CheckAttachment returns nil when a file of this name, type and size may
// be sent with a message, or a *ValidationError naming what is wrong. The
// file name is a bare name: no folders and no control characters.
func CheckAttachment(fileName, mimeType string, size int64) error {
	c := &checker{kind: KindAttachment}
	c.attachment("", AttachmentInfo{FileName: fileName, MIMEType: mimeType, SizeBytes: size})
	return c.err()
}

// attachment checks an AttachmentInfo's name, type and size, naming its
// fields after prefix.
func (c *checker) attachment(prefix string, a AttachmentInfo) {
	if c.require(prefix+"file_name", a.FileName) {
		c.maxLen(prefix+"file_name", a.FileName, 255)
		if strings.ContainsAny(a.FileName, `/\`) || strings.IndexFunc(a.FileName, unicode.IsControl) >= 0 || a.FileName == "." || a.FileName == ".." {
			c.add(prefix+"file_name", "must be a plain file name, without folders or control characters")
		}
	}
	if c.require(prefix+"mime_type", a.MIMEType) && !AllowedFileType(a.MIMEType) {
		c.add(prefix+"mime_type", "must be one of application/pdf, image/png, image/jpeg, text/plain")
	}
	if a.SizeBytes < 1 || a.SizeBytes > MaxAttachmentBytes {
		c.add(prefix+"size_bytes", fmt.Sprintf("must be between 1 byte and %d (2 MiB)", MaxAttachmentBytes))
	}
}

// Attachment is the sealed content of a file sent with a message. The key
// that opens it, and its name, type and digest, are in the recipients'
// sealed copies of the message (AttachmentInfo), never in this record.
type Attachment struct {
	Meta
	MessageID ID `json:"message_id"`
	// Content is the file sealed under its own key; JSON carries it as
	// base64.
	Content []byte `json:"content"`
}

func init() { register(KindAttachment, func() Entity { return &Attachment{} }) }

// Kind is KindAttachment.
func (*Attachment) Kind() Kind { return KindAttachment }

// Validate checks every field and lists all that are wrong.
func (a *Attachment) Validate() error {
	c := &checker{kind: KindAttachment}
	c.refID("message", a.MessageID, "a message")
	if len(a.Content) == 0 || len(a.Content) > MaxAttachmentBytes+sealOverhead {
		c.add("content", "must hold a sealed file of at most 2 MiB")
	}
	c.freeText(a)
	return c.err()
}

// Receipt records that a recipient opened a message: append-only, so that
// two workstations marking the same message read never overwrite each
// other. Its ID is ReceiptID(message, reader), so the same reader's
// receipts from several workstations merge into one record.
type Receipt struct {
	Meta
	MessageID ID     `json:"message_id"`
	Reader    string `json:"reader"`
}

func init() { register(KindReceipt, func() Entity { return &Receipt{} }) }

// Kind is KindReceipt.
func (*Receipt) Kind() Kind { return KindReceipt }

// Validate checks every field and lists all that are wrong.
func (r *Receipt) Validate() error {
	c := &checker{kind: KindReceipt}
	c.refID("message", r.MessageID, "a message")
	c.staff("reader", r.Reader)
	c.freeText(r)
	return c.err()
}

// ReceiptID is the one ID of reader's receipt for a message.
func ReceiptID(message ID, reader string) ID {
	sum := sha256.Sum256([]byte("receipt\x00" + string(message) + "\x00" + reader))
	return ID(hex.EncodeToString(sum[:12]))
}

// File is a file to send with a message: its bare name, its type (one of
// AllowedFileType) and its bytes.
type File struct {
	Name     string
	MIMEType string
	Data     []byte
}
