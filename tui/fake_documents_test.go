package tui

import (
	"fmt"
	"sort"

	"medisecure/core"
)

// Documents lists a patient's documents, newest first by their date.
func (s *fakeSession) Documents(patient core.ID, reason string) ([]core.Document, error) {
	if err := s.lock(core.ActRead, core.KindDocument); err != nil {
		return nil, err
	}
	defer s.b.mu.Unlock()
	var out []core.Document
	for _, d := range s.b.docs {
		if d.PatientID == patient {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date > out[j].Date })
	s.b.access = append(s.b.access, "documents "+string(patient)+" "+reason)
	return out, nil
}

// Document opens one document.
func (s *fakeSession) Document(id core.ID) (core.Document, error) {
	if err := s.lock(core.ActRead, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	defer s.b.mu.Unlock()
	for _, d := range s.b.docs {
		if d.ID == id {
			return d, nil
		}
	}
	return core.Document{}, fmt.Errorf("store: not found: document %s", id)
}

// AddDocumentFile keeps a document whose text is still to be read.
func (s *fakeSession) AddDocumentFile(patient core.ID, t core.DocumentType, title string, data []byte) (core.Document, error) {
	if err := s.lock(core.ActCreate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	defer s.b.mu.Unlock()
	s.b.next++
	d := core.Document{Meta: core.Meta{ID: fakeID(9000 + s.b.next), CreatedAt: s.b.clock.Now()}, PatientID: patient, Type: t, Title: title,
		MIMEType: core.MIMEPDF, SizeBytes: int64(len(data)), TextState: core.TextPending, UploadedBy: s.p.User}
	s.b.docs = append(s.b.docs, d)
	return d, nil
}

// ReviewDocument marks a document reviewed by the user.
func (s *fakeSession) ReviewDocument(id core.ID) (core.Document, error) {
	if err := s.lock(core.ActUpdate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	defer s.b.mu.Unlock()
	for i := range s.b.docs {
		if s.b.docs[i].ID == id {
			s.b.docs[i].ReviewedBy, s.b.docs[i].ReviewedAt = s.p.User, s.b.clock.Now()
			return s.b.docs[i], nil
		}
	}
	return core.Document{}, fmt.Errorf("store: not found: document %s", id)
}

// ReadText gives a pending document the text its title promises, in one
// page.
func (s *fakeSession) ReadText(id core.ID, progress func(done, total int)) (core.Document, error) {
	if err := s.lock(core.ActUpdate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	defer s.b.mu.Unlock()
	progress(0, 1)
	for i := range s.b.docs {
		if s.b.docs[i].ID == id {
			s.b.docs[i].TextState, s.b.docs[i].ExtractedText, s.b.docs[i].TextAttempts = core.TextRead, "Text of "+s.b.docs[i].Title, 1
			progress(1, 1)
			return s.b.docs[i], nil
		}
	}
	return core.Document{}, fmt.Errorf("store: not found: document %s", id)
}

// HasContent: every fake document's file is here.
func (s *fakeSession) HasContent(core.ID) bool { return true }
