package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"medisecure/core"
)

// ErrNotAuthor is returned when a clinician changes or signs a draft that
// another clinician is writing.
var ErrNotAuthor = core.NewError(core.ClassAuth, "store: only the author may change or sign a draft")

// ErrEmptyNote is returned when a draft with nothing written is signed.
var ErrEmptyNote = core.NewError(core.ClassValidation, "store: the note is empty; write at least one of subjective, objective, assessment or plan")

// drafts reads the session user's own drafts for a patient, newest first.
func (t *txn) drafts(patient core.ID) ([]core.NoteDraft, error) {
	if !core.Can(t.s.Principal(), core.ActRead, core.KindNoteDraft) {
		return nil, nil
	}
	var out []core.NoteDraft
	var notes []core.Note
	for _, id := range t.clinicalIDs(core.KindNoteDraft, patient) {
		var d core.NoteDraft
		if err := t.draft(id, &d, &notes); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return nil, err
		}
		if d.Author == t.s.user.Name {
			d.Deleted = false
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, nil
}

// draft reads a draft that is not signed: one with no tombstone, or one
// signed whose text was edited on another workstation before or after the
// signing, so that some of it is in no note signed from it
// (core.NoteDraft.SignedIn). That follows from the merged draft and notes
// alone, so every replica agrees in whatever order changes came. notes
// holds the patient's notes once read (nil before).
func (t *txn) draft(id core.ID, d *core.NoteDraft, notes *[]core.Note) error {
	rec, err := t.load(core.KindNoteDraft, id)
	if err != nil {
		return err
	}
	if !rec.Exists() {
		return fmt.Errorf("%w: %s %s", ErrNotFound, core.KindNoteDraft, id)
	}
	if err := rec.Decode(d); err != nil {
		return corrupt(fmt.Sprintf("%s record %s", rec.Kind, rec.ID), err)
	}
	if !d.Deleted {
		return nil
	}
	if *notes == nil {
		if *notes, err = t.notes(d.PatientID); err != nil {
			return err
		}
	}
	if d.SignedIn(*notes) {
		return fmt.Errorf("%w: %s %s", ErrNotFound, core.KindNoteDraft, id)
	}
	return nil
}

// SaveDraft writes a note being written: a new draft when d has no ID,
// else the changed parts of the session user's own draft. It returns the
// draft as stored.
func (s *Session) SaveDraft(d core.NoteDraft) (core.NoteDraft, error) {
	err := s.update(func(t *txn) error {
		if d.ID == "" {
			if err := t.get(d.PatientID, &core.Patient{}); err != nil {
				return err
			}
			d.Author = s.user.Name
			return t.create(&d)
		}
		var cur core.NoteDraft
		if err := t.draft(d.ID, &cur, new([]core.Note)); err != nil {
			return err
		}
		if cur.Author != s.user.Name {
			return fmt.Errorf("%w: it is %s's", ErrNotAuthor, cur.Author)
		}
		cur.Subjective, cur.Objective, cur.Assessment, cur.Plan = d.Subjective, d.Objective, d.Assessment, d.Plan
		if err := t.save(&cur); err != nil {
			return err
		}
		d, d.Deleted = cur, false
		return nil
	})
	return d, err
}

// Draft reads one of the session user's drafts.
func (s *Session) Draft(id core.ID) (core.NoteDraft, error) {
	var d core.NoteDraft
	if err := s.authorize(core.ActRead, core.KindNoteDraft); err != nil {
		return d, err
	}
	err := s.view(func(t *txn) error {
		if err := t.draft(id, &d, new([]core.Note)); err != nil {
			return err
		}
		if d.Author != s.user.Name {
			return fmt.Errorf("%w: it is %s's", ErrNotAuthor, d.Author)
		}
		d.Deleted = false
		return nil
	})
	return d, err
}

// SignNote signs the session user's draft: in one transaction the draft
// becomes a Note (core.SignedNoteID), append-only from then on, and the
// draft is removed. An empty draft is refused with ErrEmptyNote.
func (s *Session) SignNote(id core.ID) (core.Note, error) {
	var n core.Note
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindNote); err != nil {
			return err
		}
		var d core.NoteDraft
		if err := t.draft(id, &d, new([]core.Note)); err != nil {
			if have, lerr := t.load(core.KindNoteDraft, id); lerr == nil && have.Exists() {
				return fmt.Errorf("%w: draft %s is signed already; add an addendum to its note instead", ErrAppendOnly, id)
			}
			if have, lerr := t.load(core.KindNote, id); lerr == nil && have.Exists() {
				return fmt.Errorf("%w: note %s is signed already; add an addendum instead", ErrAppendOnly, id)
			}
			return err
		}
		if d.Author != s.user.Name {
			return fmt.Errorf("%w: it is %s's", ErrNotAuthor, d.Author)
		}
		if d.Empty() {
			return ErrEmptyNote
		}
		n = d.Signed(t.now)
		if err := t.create(&n); err != nil {
			return err
		}
		return t.tombstone(core.KindNoteDraft, d.ID)
	})
	return n, err
}

// AddAddendum adds text to a signed note, the only way to correct one; the
// addendum references the note and is append-only too.
func (s *Session) AddAddendum(note core.ID, text string) (core.Addendum, error) {
	a := core.Addendum{NoteID: note, Author: s.user.Name, Text: strings.TrimSpace(text)}
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindAddendum); err != nil {
			return err
		}
		var n core.Note
		if err := t.get(note, &n); err != nil {
			var d core.NoteDraft
			if t.get(note, &d) == nil {
				return fmt.Errorf("%w: note %s is a draft; change it, or sign it first", core.ErrInvalid, note)
			}
			return err
		}
		a.PatientID = n.PatientID
		return t.create(&a)
	})
	return a, err
}

// tombstone marks a record deleted in this transaction.
func (t *txn) tombstone(k core.Kind, id core.ID) error {
	return t.write(k, id, map[string]json.RawMessage{core.FieldDeleted: json.RawMessage("true")})
}

// Notes returns a patient's clinical notes, newest first (clinicians only);
// the read is logged.
func (s *Session) Notes(patient core.ID) ([]core.Note, error) {
	if err := s.authorize(core.ActRead, core.KindNote); err != nil {
		return nil, err
	}
	var out []core.Note
	err := s.update(func(t *txn) error {
		for _, id := range t.notesOf(patient) {
			var n core.Note
			if err := t.get(id, &n); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return err
			}
			out = append(out, n)
		}
		return t.logAccess(patient, core.AccessView, "chart notes")
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}
