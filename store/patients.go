package store

import (
	"errors"
	"fmt"

	"medisecure/core"
)

// AddPatient registers a patient and returns it with its ID and times set.
func (s *Session) AddPatient(p core.Patient) (core.Patient, error) {
	err := s.update(func(t *txn) error { return t.create(&p) })
	return p, err
}

// UpdatePatient saves changed fields of a registered patient.
func (s *Session) UpdatePatient(p core.Patient) (core.Patient, error) {
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindPatient); err != nil {
			return err
		}
		var cur core.Patient
		if err := t.get(p.ID, &cur); err != nil {
			return err
		}
		p.CreatedAt, p.CreatedBy = cur.CreatedAt, cur.CreatedBy
		return t.save(&p)
	})
	return p, err
}

// Patient opens one patient's record and logs the view with its reason.
func (s *Session) Patient(id core.ID, reason string) (core.Patient, error) {
	var p core.Patient
	if err := s.authorize(core.ActRead, core.KindPatient); err != nil {
		return p, err
	}
	err := s.update(func(t *txn) error {
		if err := t.get(id, &p); err != nil {
			return err
		}
		return t.logAccess(p.ID, core.AccessView, reason)
	})
	return p, err
}

// FindPatients returns up to limit patients whose name, phone or date of
// birth contains every word of text (case and accents ignored), best
// matches first. The search is logged.
func (s *Session) FindPatients(text string, limit int) ([]core.Patient, error) {
	if err := s.authorize(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	ids := s.db.search.find(text, limit)
	out := make([]core.Patient, 0, len(ids))
	err := s.update(func(t *txn) error {
		for _, id := range ids {
			var p core.Patient
			if err := t.get(id, &p); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue // deleted since the index was read
				}
				return err
			}
			out = append(out, p)
		}
		return t.logSearch(out, fmt.Sprintf("search %q", clip(text, 100)))
	})
	return out, err
}

// LikelyDuplicates lists registered patients with the same name (case and
// accents ignored) and date of birth.
func (s *Session) LikelyDuplicates(name string, dob core.Date) ([]core.Patient, error) {
	if err := s.authorize(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	ids := s.db.search.duplicates(name, dob)
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]core.Patient, 0, len(ids))
	err := s.update(func(t *txn) error {
		for _, id := range ids {
			var p core.Patient
			if err := t.get(id, &p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return t.logSearch(out, "duplicate check")
	})
	return out, err
}

// PatientNames returns the names of the given patients from the search
// index, for lists such as the day schedule, and logs one access entry for
// the list.
func (s *Session) PatientNames(ids []core.ID) (map[core.ID]string, error) {
	if err := s.authorize(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	out := make(map[core.ID]string, len(ids))
	for _, id := range ids {
		if n, ok := s.db.search.name(id); ok {
			out[id] = n
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	err := s.update(func(t *txn) error {
		return t.logAccess("", core.AccessSearch, fmt.Sprintf("schedule list: %d names shown", len(out)))
	})
	return out, err
}

// PatientCount is the number of registered patients.
func (s *Session) PatientCount() int { return s.db.search.size() }

// logSearch writes one access entry per patient a search showed (so the
// log answers "who saw this patient"), or one entry when it found none.
func (t *txn) logSearch(found []core.Patient, reason string) error {
	if len(found) == 0 {
		return t.logAccess("", core.AccessSearch, reason+": nobody found")
	}
	for _, p := range found {
		if err := t.logAccess(p.ID, core.AccessSearch, reason); err != nil {
			return err
		}
	}
	return nil
}

// clip shortens s to at most n characters for a log line.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
