package tui

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"medisecure/core"
)

// Inbox lists the messages to or from the user, newest first, as the store
// does once it has opened the user's sealed copies.
func (s *fakeSession) Inbox() ([]core.Message, error) {
	if err := s.lock(core.ActRead, core.KindMessage); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Message
	for _, m := range s.b.msgs {
		if m.From == s.p.User || slices.Contains(m.To, s.p.User) {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// OpenMessage opens one of the user's messages and records a recipient's
// first read.
func (s *fakeSession) OpenMessage(id core.ID) (core.Message, error) {
	if err := s.lock(core.ActRead, core.KindMessage); err != nil {
		return core.Message{}, err
	}
	defer s.b.mu.Unlock()
	for i, m := range s.b.msgs {
		if m.ID != id || (m.From != s.p.User && !slices.Contains(m.To, s.p.User)) {
			continue
		}
		if slices.Contains(m.To, s.p.User) && !slices.Contains(m.ReadBy, s.p.User) {
			s.b.msgs[i].ReadBy = append(slices.Clone(m.ReadBy), s.p.User)
		}
		return s.b.msgs[i], nil
	}
	return core.Message{}, fmt.Errorf("%w: message %s is not one of yours", errFakeNotFound, id)
}

// seedInbox gives Dr Okafor two messages from the desk, one with a file
// and a hostile subject, and one she sent.
func seedInbox(b *fakeBackend) {
	b.msgs = []core.Message{
		{Meta: core.Meta{ID: fakeID(901), CreatedAt: at(9, 16, 40).UTC()}, From: "okafor", To: []string{"ana"},
			Subject: "Room 1 needs gloves", Body: "Size M, two boxes.", ReadBy: []string{"ana"}},
		{Meta: core.Meta{ID: fakeID(902), CreatedAt: at(10, 8, 5).UTC()}, From: "ana", To: []string{"okafor", "lindqvist"},
			Subject: "Rota for Friday", Body: "Dr Lindqvist swaps with you.\nPlease confirm."},
		{Meta: core.Meta{ID: fakeID(903), CreatedAt: at(10, 8, 50).UTC()}, From: "ana", To: []string{"okafor"},
			Subject: "Lab results\x1b[2J for Zoë", Body: "Potassium 6.1, please call back.\nScan attached.",
			Attachments: []core.AttachmentInfo{{ID: fakeID(904), FileName: "bloods-zoe.pdf", MIMEType: "application/pdf", SizeBytes: 48213}}},
	}
}

// StaffNotifications lists the user's unread messages as in-app
// notifications, as the store does among the rest.
func (s *fakeSession) StaffNotifications() ([]core.Notification, error) {
	if err := s.lock(core.ActRead, core.KindMessage); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Notification
	for _, m := range s.b.msgs {
		if slices.Contains(m.To, s.p.User) && !slices.Contains(m.ReadBy, s.p.User) {
			out = append(out, core.Notification{Meta: core.Meta{ID: m.ID, CreatedAt: m.CreatedAt}, Recipient: s.p.User,
				Channel: core.ChannelInApp, Purpose: core.PurposeMessage, Ref: m.ID, Subject: "Unread message from " + m.From, Status: core.NotificationPending})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// SendMessage sends to users by name or "role:ROLE", as the store does;
// an unknown user is refused.
func (s *fakeSession) SendMessage(m core.Message, files ...core.File) (core.Message, error) {
	if err := s.lock(core.ActCreate, core.KindMessage); err != nil {
		return core.Message{}, err
	}
	defer s.b.mu.Unlock()
	var to []string
	for _, name := range m.To {
		if role, ok := strings.CutPrefix(name, "role:"); ok {
			for _, name := range slices.Sorted(maps.Keys(s.b.users)) {
				if string(s.b.users[name].role) == role && name != s.p.User {
					to = append(to, name)
				}
			}
			continue
		}
		if _, ok := s.b.users[name]; !ok {
			return core.Message{}, &core.ValidationError{Kind: core.KindMessage, Fields: []core.FieldError{{Field: "to", Message: fmt.Sprintf("%q is not a user here", name)}}}
		}
		to = append(to, name)
	}
	m.ID, m.From, m.To, m.CreatedAt = fakeID(950+len(s.b.msgs)), s.p.User, to, s.b.clock.Now().UTC()
	for _, f := range files {
		m.Attachments = append(m.Attachments, core.AttachmentInfo{FileName: f.Name, MIMEType: f.MIMEType, SizeBytes: int64(len(f.Data))})
	}
	s.b.msgs = append(s.b.msgs, m)
	return m, nil
}

// ReadAttachment hands over the files the test put in the backend.
func (s *fakeSession) ReadAttachment(path string) (core.File, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	f, ok := s.b.files[path]
	if !ok {
		return core.File{}, fmt.Errorf("%w: cannot read %s: not a file here", core.ErrInvalid, path)
	}
	return f, nil
}

// SaveAttachments records a recipient's read, as the store does, and
// names where each file would go; the fake writes nothing.
func (s *fakeSession) SaveAttachments(id core.ID, dir string) ([]string, error) {
	m, err := s.OpenMessage(id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range m.Attachments {
		out = append(out, dir+"/"+a.FileName)
	}
	return out, nil
}
