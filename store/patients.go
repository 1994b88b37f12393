package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"medisecure/core"
)

// AddPatient registers a patient and returns it with its ID and times set.
func (s *Session) AddPatient(p core.Patient) (core.Patient, error) {
	err := s.update(func(t *txn) error { return t.create(&p) })
	return p, err
}

// UpdatePatient saves the changed fields of a registered patient (name,
// contacts, address, emergency contact, insurance …) after validating the
// whole record, and logs the edit with the names of the fields it changed.
// Saving an unchanged patient writes nothing.
func (s *Session) UpdatePatient(p core.Patient) (core.Patient, error) {
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindPatient); err != nil {
			return err
		}
		rec, err := t.load(core.KindPatient, p.ID)
		if err != nil {
			return err
		}
		var cur core.Patient
		if err := t.get(p.ID, &cur); err != nil {
			return err
		}
		p.CreatedAt, p.CreatedBy = cur.CreatedAt, cur.CreatedBy
		if err := t.save(&p); err != nil {
			return err
		}
		changed, err := core.Diff(rec, &p)
		if err != nil {
			return err
		}
		delete(changed, "updated_at")
		if len(changed) == 0 {
			return nil
		}
		return t.logAccess(p.ID, core.AccessChange, "edit: "+strings.Join(slices.Sorted(maps.Keys(changed)), ", "))
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
// birth contains every word of text (case, accents, spaces and punctuation
// in names ignored; a date in the clinic's own form, 27.03.1984 in Berlin,
// read as the date), best matches first. The search is logged.
func (s *Session) FindPatients(text string, limit int) ([]core.Patient, error) {
	if err := s.authorize(core.ActRead, core.KindPatient); err != nil {
		return nil, err
	}
	ids := s.db.search.find(isoDates(text, s.db.zone), limit)
	var out []core.Patient
	err := s.view(func(t *txn) (err error) {
		out, err = readLive[core.Patient](t, ids) // skips those deleted since the index was read
		return err
	})
	if out == nil {
		out = []core.Patient{}
	}
	if err != nil {
		return nil, err
	}
	if err := s.queueSearch(out, fmt.Sprintf("search %q", clip(text, 100))); err != nil {
		return nil, err
	}
	return out, nil
}

// queueSearch logs a search that found found through the access log's
// group commit: written when it returns, committed with others.
func (s *Session) queueSearch(found []core.Patient, reason string) error {
	if s.db.access == nil {
		return s.update(func(t *txn) error { return t.logSearch(found, reason) })
	}
	now := s.db.opts.now()
	entry := queuedAccess{At: now, User: s.user.Name, Role: s.user.Role, Action: core.AccessSearch, Reason: reason + ": nobody found"}
	if len(found) == 0 {
		return s.db.queueAccess(s.db.keys, []queuedAccess{entry})
	}
	entries := make([]queuedAccess, len(found))
	for i, p := range found {
		entry.Patient, entry.Reason = p.ID, reason
		entries[i] = entry
	}
	return s.db.queueAccess(s.db.keys, entries)
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

// PatientAppointments lists a patient's appointments, past and upcoming,
// by start (cancelled and no-show ones too, with their status; deleted ones
// not), from the patient's visit index rather than a scan of the days, and
// logs the view. core.SplitVisits divides them at now.
func (s *Session) PatientAppointments(patient core.ID) ([]core.Appointment, error) {
	if err := s.authorize(core.ActRead, core.KindAppointment); err != nil {
		return nil, err
	}
	var out []core.Appointment
	err := s.update(func(t *txn) error {
		var p core.Patient
		if err := t.get(patient, &p); err != nil {
			return err
		}
		for _, id := range t.visitsOf(patient) {
			var a core.Appointment
			if err := t.get(id, &a); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return err
			}
			out = append(out, a)
		}
		return t.logAccess(patient, core.AccessView, "visit history and upcoming appointments")
	})
	return out, err
}

// isoDates rewrites the words of a query that are whole dates in the
// clinic's own form (core.ParseDateIn) as ISO dates, the form the index
// holds.
func isoDates(text string, zone *time.Location) string {
	words := strings.Fields(text)
	for i, w := range words {
		if strings.ContainsAny(w, "./") {
			if d, err := core.ParseDateIn(w, zone); err == nil {
				words[i] = string(d)
			}
		}
	}
	return strings.Join(words, " ")
}
