package core

import (
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
	for i, name := range m.ReadBy {
		if !to[name] {
			c.add(fmt.Sprintf("read_by[%d]", i), "is not a recipient")
		}
	}
	c.freeText(m)
	return c.err()
}

// Attachment is a file sent with a message. Its content is sealed like the
// message it belongs to.
type Attachment struct {
	Meta
	MessageID ID     `json:"message_id"`
	FileName  string `json:"file_name"`
	MIMEType  string `json:"mime_type"`
	// SizeBytes is the size of the file before sealing.
	SizeBytes int64 `json:"size_bytes"`
	// SHA256 is the digest of the file before sealing, in hex.
	SHA256 string `json:"sha256"`
	// Content is the file as stored, sealed; JSON carries it as base64.
	Content []byte `json:"content"`
}

func init() { register(KindAttachment, func() Entity { return &Attachment{} }) }

// Kind is KindAttachment.
func (*Attachment) Kind() Kind { return KindAttachment }

// Validate checks every field and lists all that are wrong. The file name is
// a bare name: no folders and no control characters.
func (a *Attachment) Validate() error {
	c := &checker{kind: KindAttachment}
	c.refID("message", a.MessageID, "a message")
	if c.require("file_name", a.FileName) {
		c.maxLen("file_name", a.FileName, 255)
		if strings.ContainsAny(a.FileName, `/\`) || strings.IndexFunc(a.FileName, unicode.IsControl) >= 0 || a.FileName == "." || a.FileName == ".." {
			c.add("file_name", "must be a plain file name, without folders or control characters")
		}
	}
	c.file(a.MIMEType, a.SizeBytes, a.SHA256, a.Content)
	c.freeText(a)
	return c.err()
}
