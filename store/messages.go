package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"medisecure/core"
)

// sealedMessage is what each recipient's copy holds once opened.
type sealedMessage struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// SendMessage sends a message (To, Subject, Body, and optionally PatientID,
// ReplyTo and the meta fields) to other staff, end to end: subject and body
// are sealed to each recipient's public key, and the sender's to read their
// sent items, so the stored record holds them only in those copies. The
// copies use fresh randomness: two stores holding the same message hold
// different ciphertext.
func (s *Session) SendMessage(m core.Message) (core.Message, error) {
	if m.Subject == "" || m.Body == "" {
		return m, &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "body", Message: "needs a subject and a text"}}}
	}
	plain := mustJSON(sealedMessage{Subject: m.Subject, Body: m.Body})
	m.From, m.Subject, m.Body, m.Sealed, m.ReadBy = s.user.Name, "", "", map[string][]byte{}, nil
	err := s.update(func(t *txn) error {
		for _, name := range append(slices.Clone(m.To), s.user.Name) {
			e, err := getEntry(t.tx, name)
			if err != nil {
				return &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("%q is not a user here", name)}}}
			}
			if err := verifyEntry(t.tx, s.db.root, e); err != nil {
				return err
			}
			if m.Sealed[name], err = e.sealTo(plain); err != nil {
				return err
			}
		}
		return t.create(&m)
	})
	return m, err
}

// Inbox lists the messages sent to or by the session's user, newest first,
// with subject and body opened from the user's own sealed copy.
func (s *Session) Inbox() ([]core.Message, error) {
	if err := s.authorize(core.ActRead, core.KindMessage); err != nil {
		return nil, err
	}
	var out []core.Message
	err := s.view(func(t *txn) error {
		return t.each(core.KindMessage, func(rec *core.Record) error {
			var m core.Message
			if err := rec.Decode(&m); err != nil {
				return err
			}
			sealed, ok := m.Sealed[s.user.Name]
			if !ok || m.Deleted {
				return nil
			}
			plain, ok := s.keys.openSealed(sealed)
			var sm sealedMessage
			if !ok || json.Unmarshal(plain, &sm) != nil {
				return corrupt(fmt.Sprintf("message %s", m.ID), nil)
			}
			m.Subject, m.Body, m.Sealed = sm.Subject, sm.Body, nil
			out = append(out, m)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}
