package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/core"
)

// File is a file to send with a message (core.File, so the screens can
// hand one over without importing the store).
type File = core.File

// OpenedFile is a file received with a message, opened and checked
// against the digest its sender sealed with it.
type OpenedFile struct {
	core.AttachmentInfo
	Data []byte
}

// sealedMessage is what each recipient's copy holds once opened: the text,
// and for each attached file its description and the key that opens it.
type sealedMessage struct {
	Subject string      `json:"subject"`
	Body    string      `json:"body"`
	Files   []sealedKey `json:"files"`
}

// sealedKey is one attachment as a recipient's copy describes it.
type sealedKey struct {
	core.AttachmentInfo
	Key []byte `json:"key"`
}

// SendMessage sends a message (To, Subject, Body, and optionally PatientID,
// ReplyTo and the meta fields) with files to other staff, end to end:
// subject, body and the files' names and keys are sealed to each
// recipient's public key, and the sender's to read their sent items, so the
// stored record holds them only in those copies. Each file is sealed once
// under a fresh key of its own (an Attachment record) that only those
// copies hold. The copies use fresh randomness: two stores holding the same
// message hold different ciphertext. It returns the message as its sender
// reads it.
func (s *Session) SendMessage(m core.Message, files ...File) (core.Message, error) {
	if m.Subject == "" || m.Body == "" {
		return m, &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "body", Message: "needs a subject and a text"}}}
	}
	shown := m
	err := s.update(func(t *txn) error {
		if m.ID == "" {
			id, err := core.NewID(t.now, rand.Reader)
			if err != nil {
				return err
			}
			m.ID = id
		}
		keys, atts, err := sealFiles(t, m.ID, files)
		if err != nil {
			return err
		}
		shown.Attachments = make([]core.AttachmentInfo, len(keys))
		for i, k := range keys {
			shown.Attachments[i] = k.AttachmentInfo
		}
		to, err := expandRecipients(t, m.To, s.user.Name)
		if err != nil {
			return err
		}
		m.To, shown.To = to, to
		plain := mustJSON(sealedMessage{Subject: m.Subject, Body: m.Body, Files: keys})
		check := shown
		check.From = s.user.Name
		if err := check.Validate(); err != nil {
			return err
		}
		m.From, m.Subject, m.Body, m.Sealed, m.ReadBy, m.Attachments = s.user.Name, "", "", map[string][]byte{}, nil, nil
		for _, name := range append(slices.Clone(m.To), s.user.Name) {
			e, err := getEntry(t.tx, name)
			if err != nil {
				return &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("%q is not a user here", name)}}}
			}
			if e.User.Disabled && name != s.user.Name {
				return &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("%q no longer works here (the account is disabled)", name)}}}
			}
			if err := verifyEntry(t.tx, s.db.root, e); err != nil {
				return err
			}
			if m.Sealed[name], err = e.sealTo(plain); err != nil {
				return err
			}
		}
		if err := t.create(&m); err != nil {
			return err
		}
		for i := range atts {
			if err := t.create(&atts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	shown.Meta, shown.From, shown.To, shown.Sealed = m.Meta, m.From, m.To, nil
	return shown, err
}

// rolePrefix addresses every user of a role: "role:doctor".
const rolePrefix = "role:"

// expandRecipients replaces each "role:ROLE" in to with the enabled users
// of that role other than the sender, by name, and drops repeats, keeping
// the order given.
func expandRecipients(t *txn, to []string, sender string) ([]string, error) {
	var out []string
	add := func(name string) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, name := range to {
		role, ok := strings.CutPrefix(name, rolePrefix)
		if !ok {
			add(name)
			continue
		}
		r, err := core.ParseRole(role)
		if err != nil {
			return nil, &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("%q names no role; roles are admin, reception, doctor, nurse, billing", name)}}}
		}
		found := 0
		err = t.tx.Bucket(bucketDirectory).ForEach(func(k, v []byte) error {
			e, err := decodeDirEntry(v)
			if err != nil {
				return corrupt("directory entry "+string(k), err)
			}
			if e.User.Role == r && !e.User.Disabled && e.User.Name != sender {
				add(e.User.Name)
				found++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if found == 0 {
			return nil, &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("no one else here has the role %s", r)}}}
		}
	}
	return out, nil
}

// sealFiles seals each file under a fresh key as an Attachment of message
// id, and returns the keys with the files' descriptions for the sealed
// copies.
func sealFiles(t *txn, id core.ID, files []File) ([]sealedKey, []core.Attachment, error) {
	keys := make([]sealedKey, 0, len(files))
	atts := make([]core.Attachment, 0, len(files))
	for _, f := range files {
		if err := core.CheckAttachment(f.Name, f.MIMEType, int64(len(f.Data))); err != nil {
			return nil, nil, err
		}
		attID, err := core.NewID(t.now, rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		key := randomKey()
		aead, err := chacha20poly1305.NewX(key)
		if err != nil {
			return nil, nil, fmt.Errorf("store: sealing an attachment: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(f.Data)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, nil, fmt.Errorf("store: sealing an attachment: %w", err)
		}
		sum := sha256.Sum256(f.Data)
		keys = append(keys, sealedKey{
			AttachmentInfo: core.AttachmentInfo{ID: attID, FileName: f.Name, MIMEType: f.MIMEType, SizeBytes: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])},
			Key:            key,
		})
		atts = append(atts, core.Attachment{Meta: core.Meta{ID: attID}, MessageID: id, Content: aead.Seal(nonce, nonce, f.Data, []byte(attID))})
	}
	return keys, atts, nil
}

// Inbox lists the messages sent to or by the session's user, newest first,
// with subject, body and the attachments' descriptions opened from the
// user's own sealed copy, and ReadBy filled in from the read receipts.
func (s *Session) Inbox() ([]core.Message, error) {
	if err := s.authorize(core.ActRead, core.KindMessage); err != nil {
		return nil, err
	}
	var out []core.Message
	err := s.view(func(t *txn) error {
		readers, err := t.receipts()
		if err != nil {
			return err
		}
		return t.each(core.KindMessage, func(rec *core.Record) error {
			m, _, err := t.openMessage(rec)
			if err != nil || m == nil {
				return err
			}
			m.ReadBy = readers[m.ID]
			out = append(out, *m)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// Unread reports whether the session's user received m and has not opened it.
func (s *Session) Unread(m core.Message) bool {
	return slices.Contains(m.To, s.user.Name) && !slices.Contains(m.ReadBy, s.user.Name)
}

// openMessage opens the user's copy of a message record; it returns nil
// when the user holds no copy (or the message was withdrawn).
func (t *txn) openMessage(rec *core.Record) (*core.Message, []sealedKey, error) {
	var m core.Message
	if err := rec.Decode(&m); err != nil {
		return nil, nil, err
	}
	sealed, ok := m.Sealed[t.s.user.Name]
	if !ok || m.Deleted {
		return nil, nil, nil
	}
	plain, ok := t.s.keys.openSealed(sealed)
	var sm sealedMessage
	if !ok || json.Unmarshal(plain, &sm) != nil {
		return nil, nil, corrupt(fmt.Sprintf("message %s", m.ID), nil)
	}
	m.Subject, m.Body, m.Sealed = sm.Subject, sm.Body, nil
	m.Attachments = make([]core.AttachmentInfo, len(sm.Files))
	for i, f := range sm.Files {
		m.Attachments[i] = f.AttachmentInfo
	}
	return &m, sm.Files, nil
}

// receipts maps each message to who has read it, in the order read.
func (t *txn) receipts() (map[core.ID][]string, error) {
	out := map[core.ID][]string{}
	err := t.each(core.KindReceipt, func(rec *core.Record) error {
		var r core.Receipt
		if err := rec.Decode(&r); err != nil {
			return err
		}
		if !slices.Contains(out[r.MessageID], r.Reader) {
			out[r.MessageID] = append(out[r.MessageID], r.Reader)
		}
		return nil
	})
	return out, err
}

// ReadMessage opens a message the session's user sent or received, with
// its attachments, and, the first time a recipient opens it, writes their
// read receipt (an append-only record, one per reader and message however
// many workstations they read it on). A message the user holds no copy of
// is ErrNotFound, whether or not it exists: its existence is not theirs to
// learn either.
func (s *Session) ReadMessage(id core.ID) (core.Message, []OpenedFile, error) {
	return s.readMessage(id, true)
}

// OpenMessage is ReadMessage without the files: the message with the
// descriptions of its attachments, for a screen that lists them.
func (s *Session) OpenMessage(id core.ID) (core.Message, error) {
	m, _, err := s.readMessage(id, false)
	return m, err
}

// readMessage opens a message, its files when withFiles is set, and
// writes the reader's receipt.
func (s *Session) readMessage(id core.ID, withFiles bool) (core.Message, []OpenedFile, error) {
	if err := s.authorize(core.ActRead, core.KindMessage); err != nil {
		return core.Message{}, nil, err
	}
	var m *core.Message
	var files []OpenedFile
	err := s.update(func(t *txn) error {
		rec, err := t.load(core.KindMessage, id)
		if err != nil {
			return err
		}
		var keys []sealedKey
		if rec.Exists() {
			if m, keys, err = t.openMessage(rec); err != nil {
				return err
			}
		}
		if m == nil {
			return fmt.Errorf("%w: message %s is not one of yours", ErrNotFound, id)
		}
		if withFiles {
			if files, err = t.openFiles(m.ID, keys); err != nil {
				return err
			}
		}
		readers, err := t.receipts()
		if err != nil {
			return err
		}
		m.ReadBy = readers[m.ID]
		if !slices.Contains(m.To, s.user.Name) || slices.Contains(m.ReadBy, s.user.Name) {
			return nil
		}
		m.ReadBy = append(m.ReadBy, s.user.Name)
		return t.create(&core.Receipt{Meta: core.Meta{ID: core.ReceiptID(m.ID, s.user.Name)}, MessageID: m.ID, Reader: s.user.Name})
	})
	if err != nil {
		return core.Message{}, nil, err
	}
	return *m, files, nil
}

// openFiles opens a message's attachments with the keys from the user's
// copy and checks each against its digest. An attachment that has not
// arrived yet (sync brings it in a later batch) is reported as such.
func (t *txn) openFiles(msg core.ID, keys []sealedKey) ([]OpenedFile, error) {
	var out []OpenedFile
	for _, k := range keys {
		var a core.Attachment
		if err := t.get(k.ID, &a); err != nil {
			return nil, fmt.Errorf("%w: attachment %s of message %s has not arrived on this workstation yet; sync and try again", ErrNotFound, k.FileName, msg)
		}
		aead, err := chacha20poly1305.NewX(k.Key)
		if err != nil || a.MessageID != msg || len(a.Content) < aead.NonceSize() {
			return nil, corrupt(fmt.Sprintf("attachment %s", k.ID), err)
		}
		n := aead.NonceSize()
		data, err := aead.Open(nil, a.Content[:n], a.Content[n:], []byte(k.ID))
		sum := sha256.Sum256(data)
		if err != nil || hex.EncodeToString(sum[:]) != k.SHA256 {
			return nil, corrupt(fmt.Sprintf("attachment %s", k.ID), err)
		}
		out = append(out, OpenedFile{AttachmentInfo: k.AttachmentInfo, Data: data})
	}
	return out, nil
}

// migrateReceiptBucket (v7) adds the records bucket for read receipts.
func migrateReceiptBucket(tx *bolt.Tx) error {
	_, err := tx.Bucket(bucketRecords).CreateBucketIfNotExists([]byte(core.KindReceipt))
	return err
}
