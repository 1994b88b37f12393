package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"

	"medisecure/core"
)

// ErrNoContent is returned when a document's record is here but its
// content has not arrived on this workstation yet.
var ErrNoContent = core.NewError(core.ClassStore, "store: the document's content has not arrived on this workstation yet; sync and try again")

// chunkKeySize is the length of a chunk's address: a full HMAC-SHA-256.
const chunkKeySize = sha256.Size

// NewDocument is a file to add to a patient's chart.
type NewDocument struct {
	PatientID core.ID
	Type      core.DocumentType
	Title     string
	// Date is the date on the document; empty for none.
	Date core.Date
	Data []byte
}

// TextReader reads the text of a document file: from a PDF's text layer,
// or by OCR of an image or a scanned PDF. It reports progress by page and
// names how it read the text ("pdftotext", "tesseract").
type TextReader interface {
	ReadText(ctx context.Context, mimeType string, data []byte, progress func(done, total int)) (text, source string, err error)
}

// DocumentHit is a document whose text matched a search, with the line of
// the text that matched. Document holds what the search index keeps: the
// ID, patient, type, title and date (the date on it, else the day it was
// added); Document opens the rest.
type DocumentHit struct {
	Document core.Document
	Line     string
}

// docKeys seal what a document is made of beside its record (the file's
// chunks and chunk list, the pieces received, the text index) under the
// same key as the record: the clinical key, so a login without it
// (reception, billing) opens none of them. open also reads what was sealed
// under the store key before documents moved under the clinical key.
type docKeys struct{ clinical, legacy *sealer }

// docKeys returns the document keys of the transaction, or ErrSealed when
// the session holds no clinical key.
func (t *txn) docKeys() (docKeys, error) {
	s, err := t.sealerOf(core.KindDocument)
	if err != nil {
		return docKeys{}, err
	}
	return docKeys{clinical: s, legacy: t.keys.store}, nil
}

func (k docKeys) seal(bucket, key, plain []byte) []byte { return k.clinical.seal(bucket, key, plain) }

func (k docKeys) open(bucket, key, sealed []byte) ([]byte, error) {
	plain, err := k.clinical.open(bucket, key, sealed)
	if err != nil && k.legacy != k.clinical {
		if old, lerr := k.legacy.open(bucket, key, sealed); lerr == nil {
			return old, nil
		}
	}
	return plain, err
}

// chunkKey is the address of a chunk: a keyed hash of its bytes under a key
// derived from the store key, so equal chunks share one place and the file
// reveals nothing of what they hold.
func (t *txn) chunkKey(data []byte) []byte {
	mac := hmac.New(sha256.New, t.keys.index)
	mac.Write([]byte("document chunk v1\x00"))
	mac.Write(data)
	return mac.Sum(nil)
}

// putContent stores a document's content in sealed chunks, each once, and
// the list of its chunk keys under the document's ID.
func (t *txn) putContent(id core.ID, data []byte) error {
	dk, err := t.docKeys()
	if err != nil {
		return err
	}
	chunks, err := t.tx.CreateBucketIfNotExists(bucketDocChunks)
	if err != nil {
		return err
	}
	files, err := t.tx.CreateBucketIfNotExists(bucketDocFiles)
	if err != nil {
		return err
	}
	var list []byte
	for off := 0; off < len(data); off += core.DocumentChunkBytes {
		piece := data[off:min(off+core.DocumentChunkBytes, len(data))]
		key := t.chunkKey(piece)
		list = append(list, key...)
		if chunks.Get(key) != nil {
			continue // the same bytes are stored already
		}
		if err := chunks.Put(key, dk.seal(bucketDocChunks, key, piece)); err != nil {
			return fmt.Errorf("store: writing a document chunk: %w", err)
		}
	}
	key := id.Bytes()
	return files.Put(key, dk.seal(bucketDocFiles, key, list))
}

// chunkList opens the list of a document's chunk keys; nil when the
// content is not here.
func (t *txn) chunkList(id core.ID) ([]byte, error) {
	files := t.tx.Bucket(bucketDocFiles)
	if files == nil {
		return nil, nil
	}
	key := id.Bytes()
	v := files.Get(key)
	if v == nil {
		return nil, nil
	}
	dk, err := t.docKeys()
	if err != nil {
		return nil, err
	}
	list, err := dk.open(bucketDocFiles, key, v)
	if err != nil || len(list)%chunkKeySize != 0 {
		return nil, corrupt(fmt.Sprintf("chunk list of document %s", id), nil)
	}
	return list, nil
}

// content reads a document's whole content and checks it against the
// record's digest.
func (t *txn) content(d *core.Document) ([]byte, error) {
	list, err := t.chunkList(d.ID)
	if err != nil {
		return nil, err
	}
	if list == nil {
		return nil, fmt.Errorf("%w (document %s)", ErrNoContent, d.ID)
	}
	dk, err := t.docKeys()
	if err != nil {
		return nil, err
	}
	chunks := t.tx.Bucket(bucketDocChunks)
	out := make([]byte, 0, d.SizeBytes)
	for off := 0; off < len(list); off += chunkKeySize {
		key := list[off : off+chunkKeySize]
		var v []byte
		if chunks != nil {
			v = chunks.Get(key)
		}
		piece, err := dk.open(bucketDocChunks, key, v)
		if err != nil {
			return nil, corrupt(fmt.Sprintf("content of document %s", d.ID), nil)
		}
		out = append(out, piece...)
	}
	sum := sha256.Sum256(out)
	if int64(len(out)) != d.SizeBytes || hex.EncodeToString(sum[:]) != d.SHA256 {
		return nil, corrupt(fmt.Sprintf("content of document %s", d.ID), errors.New("it does not match its digest"))
	}
	return out, nil
}

// AddDocument adds a file to a patient's chart: its type is read from its
// content (core.SniffDocument refuses anything but a whole PDF, PNG, JPEG
// or TIFF of at most 50 MiB, and nothing is stored then), the content is
// stored in sealed chunks, and the record, whose text is still to be read
// (ReadDocumentText), syncs like any other. A lab document notifies the
// patient's doctor in the app. It returns the new document.
func (s *Session) AddDocument(in NewDocument) (core.Document, error) {
	if err := s.authorize(core.ActCreate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	mime, err := core.SniffDocument(in.Data)
	if err != nil {
		return core.Document{}, err
	}
	sum := sha256.Sum256(in.Data)
	d := core.Document{
		PatientID: in.PatientID, Type: in.Type, Title: in.Title, Date: in.Date, MIMEType: mime,
		SizeBytes: int64(len(in.Data)), SHA256: hex.EncodeToString(sum[:]), TextState: core.TextPending, UploadedBy: s.user.Name,
	}
	err = s.update(func(t *txn) error {
		var p core.Patient
		if err := t.get(in.PatientID, &p); err != nil {
			return err
		}
		if err := t.create(&d); err != nil {
			return err
		}
		if err := t.putContent(d.ID, in.Data); err != nil {
			return err
		}
		if d.Type == core.DocLab {
			if err := t.notifyDoctor(&d); err != nil {
				return err
			}
		}
		return t.logAccess(d.PatientID, core.AccessChange, "document added: "+string(d.Type))
	})
	return d, err
}

// AddDocumentFile is AddDocument for a screen: a patient, a type, a
// title and the file's bytes.
func (s *Session) AddDocumentFile(patient core.ID, t core.DocumentType, title string, data []byte) (core.Document, error) {
	return s.AddDocument(NewDocument{PatientID: patient, Type: t, Title: title, Data: data})
}

// notifyDoctor tells the patient's doctor in the app that a lab document
// arrived: the doctor of their latest visit so far, else of the next one.
// A patient without visits has no doctor to tell; nor does a doctor who
// added the document themselves need telling.
func (t *txn) notifyDoctor(d *core.Document) error {
	var last, next *core.Appointment
	for _, id := range t.visitsOf(d.PatientID) {
		var a core.Appointment
		if err := t.get(id, &a); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return err
		}
		if a.Start.After(t.now) {
			if next == nil {
				next = &a
			}
			continue
		}
		last = &a
	}
	doctor := ""
	switch {
	case last != nil:
		doctor = last.Doctor
	case next != nil:
		doctor = next.Doctor
	}
	if doctor == "" || doctor == t.s.user.Name {
		return nil
	}
	return t.create(&core.Notification{
		PatientID: d.PatientID, Recipient: doctor, Channel: core.ChannelInApp, Status: core.NotificationPending,
		Subject: "New lab document", Body: "A new lab document is on the chart: " + d.Title + ". Review it with clinic doc review " + string(d.ID) + ".",
	})
}

// Documents lists a patient's documents, newest (by the date on them)
// first, and logs the view with reason. A clinician without a care
// relationship is refused as for the chart.
func (s *Session) Documents(patient core.ID, reason string) ([]core.Document, error) {
	if err := s.authorize(core.ActRead, core.KindDocument); err != nil {
		return nil, err
	}
	reason, err := chartReason(reason)
	if err != nil {
		return nil, err
	}
	var out []core.Document
	err = s.update(func(t *txn) error {
		if err := t.get(patient, &core.Patient{}); err != nil {
			return err
		}
		if err := t.careOrGlass(patient); err != nil {
			return err
		}
		for _, id := range t.documentIDs(patient) {
			var d core.Document
			if err := t.get(id, &d); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return err
			}
			out = append(out, d)
		}
		return t.logAccess(patient, core.AccessView, "documents: "+reason)
	})
	sortDocuments(out)
	return out, err
}

// sortDocuments orders documents newest first by their date, then by when
// they were added.
func sortDocuments(ds []core.Document) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := documentDate(&ds[i]), documentDate(&ds[j])
		if a != b {
			return a > b
		}
		return ds[i].CreatedAt.After(ds[j].CreatedAt)
	})
}

// openDocument loads a document for a clinician with a care relationship.
func (t *txn) openDocument(id core.ID) (core.Document, error) {
	var d core.Document
	if err := t.get(id, &d); err != nil {
		return d, err
	}
	return d, t.careOrGlass(d.PatientID)
}

// Document opens one document with its text and logs the view.
func (s *Session) Document(id core.ID) (core.Document, error) {
	if err := s.authorize(core.ActRead, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	var d core.Document
	err := s.update(func(t *txn) (err error) {
		if d, err = t.openDocument(id); err != nil {
			return err
		}
		return t.logAccess(d.PatientID, core.AccessView, "document "+string(d.ID))
	})
	return d, err
}

// DocumentContent returns a document's file, checked against its digest,
// and logs the export. A document whose content has not arrived yet is
// ErrNoContent.
func (s *Session) DocumentContent(id core.ID) (core.Document, []byte, error) {
	if err := s.authorize(core.ActRead, core.KindDocument); err != nil {
		return core.Document{}, nil, err
	}
	var d core.Document
	var data []byte
	err := s.update(func(t *txn) (err error) {
		if d, err = t.openDocument(id); err != nil {
			return err
		}
		if data, err = t.content(&d); err != nil {
			return err
		}
		return t.logAccess(d.PatientID, core.AccessExport, "document "+string(d.ID)+" saved to a file")
	})
	return d, data, err
}

// HasContent reports whether a document's content is on this workstation.
func (s *Session) HasContent(id core.ID) bool {
	var ok bool
	s.view(func(t *txn) error {
		list, err := t.chunkList(id)
		ok = err == nil && list != nil
		return nil
	})
	return ok
}

// ReviewDocument marks a document reviewed by the session's user, which
// takes its "new" mark away everywhere once synced. Reviewing it again
// changes nothing.
func (s *Session) ReviewDocument(id core.ID) (core.Document, error) {
	if err := s.authorize(core.ActUpdate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	var d core.Document
	err := s.update(func(t *txn) (err error) {
		if d, err = t.openDocument(id); err != nil || d.Reviewed() {
			return err
		}
		d.ReviewedBy, d.ReviewedAt = s.user.Name, t.now
		if err := t.save(&d); err != nil {
			return err
		}
		return t.logAccess(d.PatientID, core.AccessChange, "document "+string(d.ID)+" reviewed")
	})
	return d, err
}

// PendingText lists the documents whose content is here and whose text
// is still to be read: pending, or failed fewer than core.MaxTextAttempts
// times.
func (s *Session) PendingText() ([]core.ID, error) {
	var out []core.ID
	err := s.view(func(t *txn) error {
		files := t.tx.Bucket(bucketDocFiles)
		if files == nil {
			return nil
		}
		return files.ForEach(func(k, _ []byte) error {
			id := core.ID(hex.EncodeToString(k))
			var d core.Document
			if err := t.get(id, &d); err != nil {
				if errors.Is(err, ErrNotFound) {
					return nil
				}
				return err
			}
			if d.TextState == core.TextPending || (d.TextState == core.TextFailed && d.TextAttempts < core.MaxTextAttempts) {
				out = append(out, id)
			}
			return nil
		})
	})
	return out, err
}

// ReadDocumentText reads a document's text with r, outside any
// transaction, and records the outcome: the text, cleaned and indexed for
// search, or the failure and the number of attempts, so a later call
// retries. The file is never touched by a failure.
func (s *Session) ReadDocumentText(ctx context.Context, id core.ID, r TextReader, progress func(done, total int)) (core.Document, error) {
	if err := s.authorize(core.ActUpdate, core.KindDocument); err != nil {
		return core.Document{}, err
	}
	var d core.Document
	var data []byte
	err := s.view(func(t *txn) (err error) {
		if err = t.get(id, &d); err != nil {
			return err
		}
		data, err = t.content(&d)
		return err
	})
	if err != nil {
		return d, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	text, source, readErr := r.ReadText(ctx, d.MIMEType, data, progress)
	err = s.update(func(t *txn) error {
		if err := t.get(id, &d); err != nil {
			return err
		}
		d.TextAttempts++
		if readErr != nil {
			d.TextState, d.TextError = core.TextFailed, clip(core.StripPrefixes(readErr.Error()), 400)
		} else {
			d.TextState, d.TextError, d.TextSource, d.ExtractedText = core.TextRead, "", source, core.CleanExtractedText(text)
		}
		return t.save(&d)
	})
	if err != nil {
		return d, err
	}
	if readErr != nil {
		return d, fmt.Errorf("store: reading the text of document %s: %w", id, readErr)
	}
	return d, nil
}

// SearchDocuments finds the documents whose text holds every word of
// query, across all patients or, when patient is set, within one
// patient's, newest first, at most limit; each with the line that
// matched. Clinicians only; each patient shown is logged as a search.
// Only patients the clinician may open are listed.
func (s *Session) SearchDocuments(query string, patient core.ID, limit int) ([]DocumentHit, error) {
	if err := s.authorize(core.ActRead, core.KindDocument); err != nil {
		return nil, err
	}
	if err := s.db.docs.load(s); err != nil {
		return nil, err
	}
	var out []DocumentHit
	err := s.update(func(t *txn) error {
		care := map[core.ID]bool{}
		keep := func(e docEntry) bool {
			if patient != "" && e.patient != patient {
				return false
			}
			ok, seen := care[e.patient]
			if !seen {
				ok = t.careOrGlass(e.patient) == nil
				care[e.patient] = ok
			}
			return ok
		}
		logged := map[core.ID]bool{}
		for _, h := range s.db.docs.find(query, limit, keep) {
			d := core.Document{Meta: core.Meta{ID: h.id}, PatientID: h.entry.patient, Type: h.entry.typ, Title: h.entry.title, Date: core.Date(h.entry.date)}
			out = append(out, DocumentHit{Document: d, Line: matchingLine(h.entry.text, query)})
			if !logged[d.PatientID] {
				logged[d.PatientID] = true
				if err := t.logAccess(d.PatientID, core.AccessSearch, "document search"); err != nil {
					return err
				}
			}
		}
		if len(logged) == 0 {
			return t.logAccess(patient, core.AccessSearch, "document search: nothing found")
		}
		return nil
	})
	return out, err
}

// ocrLangs is the settings key of the OCR languages.
var ocrLangs = []byte("ocr_langs")

// DefaultOCRLanguages is what OCR reads when nothing is configured.
const DefaultOCRLanguages = "eng"

// validLangs matches tesseract language lists: eng, eng+deu, chi_sim.
var validLangs = regexp.MustCompile(`^[a-z][a-z0-9_]{1,15}(\+[a-z][a-z0-9_]{1,15}){0,7}$`)

// OCRLanguages is this workstation's OCR language list ("eng+deu").
func (s *Session) OCRLanguages() string {
	langs := DefaultOCRLanguages
	s.view(func(t *txn) error {
		if b := t.tx.Bucket(bucketDocSettings); b != nil && b.Get(ocrLangs) != nil {
			langs = string(b.Get(ocrLangs))
		}
		return nil
	})
	return langs
}

// SetOCRLanguages sets this workstation's OCR languages, tesseract's
// names joined by "+" ("eng+deu"). Admins and clinicians who add
// documents may set them.
func (s *Session) SetOCRLanguages(langs string) error {
	if s.user.Role != core.RoleAdmin {
		if err := s.authorize(core.ActCreate, core.KindDocument); err != nil {
			return err
		}
	}
	if !validLangs.MatchString(langs) {
		return &core.ValidationError{Kind: core.KindDocument, Fields: []core.FieldError{{Field: "ocr_langs", Message: "must be tesseract language names joined by +, such as eng+deu"}}}
	}
	return s.update(func(t *txn) error {
		b, err := t.tx.CreateBucketIfNotExists(bucketDocSettings)
		if err != nil {
			return err
		}
		return b.Put(ocrLangs, []byte(langs))
	})
}
