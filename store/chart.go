package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// ErrAllergiesListed is returned when "no known allergies" is recorded for
// a patient who has allergies on file.
var ErrAllergiesListed = core.NewError(core.ClassConflict, "store: the patient has allergies on file")

// ErrNoReason is returned when a chart is read without saying why.
var ErrNoReason = core.NewError(core.ClassValidation, "store: a reason for opening the chart is required")

// clinicalPatient is the patient a record of the chart belongs to, for the
// kinds filed under their patient.
func clinicalPatient(e core.Entity) (core.ID, bool) {
	switch r := e.(type) {
	case *core.Allergy:
		return r.PatientID, true
	case *core.Problem:
		return r.PatientID, true
	case *core.Medication:
		return r.PatientID, true
	case *core.Vital:
		return r.PatientID, true
	case *core.Prescription:
		return r.PatientID, true
	case *core.Refill:
		return r.PatientID, true
	case *core.Reminder:
		return r.PatientID, true
	case *core.Adherence:
		return r.PatientID, true
	case *core.Addendum:
		return r.PatientID, true
	case *core.NoteDraft:
		return r.PatientID, true
	}
	return "", false
}

// clinicalPrefix is the index prefix of one patient's records of kind k.
func (t *txn) clinicalPrefix(k core.Kind, patient core.ID) []byte {
	return append([]byte{classClinical}, t.owner(classClinical, string(k)+"\x00"+string(patient))...)
}

// indexClinical files a clinical record under its patient. A record's
// patient never changes, so there is nothing old to remove.
func (t *txn) indexClinical(e core.Entity) error {
	patient, ok := clinicalPatient(e)
	if !ok || patient.Bytes() == nil {
		return nil
	}
	key := append(t.clinicalPrefix(e.Kind(), patient), e.Base().ID.Bytes()...)
	return t.tx.Bucket(bucketSchedule).Put(key, nil)
}

// clinicalIDs lists the IDs of a patient's records of kind k.
func (t *txn) clinicalIDs(k core.Kind, patient core.ID) []core.ID {
	prefix := t.clinicalPrefix(k, patient)
	var out []core.ID
	c := t.tx.Bucket(bucketSchedule).Cursor()
	for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
		if len(key) == len(prefix)+12 {
			out = append(out, core.ID(hex.EncodeToString(key[len(prefix):])))
		}
	}
	return out
}

// loadClinical reads a patient's live records of one kind.
func loadClinical[T any, P interface {
	*T
	core.Entity
}](t *txn, patient core.ID) ([]T, error) {
	return readLive[T, P](t, t.clinicalIDs(P(new(T)).Kind(), patient))
}

// upcoming lists a patient's appointments from now on, from the visit
// index.
func (t *txn) upcoming(patient core.ID) ([]core.Appointment, error) {
	var all []core.Appointment
	for _, id := range t.visitsOf(patient) {
		var a core.Appointment
		if err := t.get(id, &a); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return nil, err
		}
		all = append(all, a)
	}
	return core.UpcomingFrom(all, t.now), nil
}

// readChart loads every part of a patient's chart.
func (t *txn) readChart(patient core.ID) (core.Chart, error) {
	c := core.Chart{}
	if err := t.get(patient, &c.Patient); err != nil {
		return c, err
	}
	var err error
	steps := []func() error{
		func() (e error) { c.Allergies, e = loadClinical[core.Allergy](t, patient); return },
		func() (e error) { c.Problems, e = loadClinical[core.Problem](t, patient); return },
		func() (e error) { c.Medications, e = loadClinical[core.Medication](t, patient); return },
		func() (e error) { c.Prescriptions, e = loadClinical[core.Prescription](t, patient); return },
		func() (e error) { c.Vitals, e = loadClinical[core.Vital](t, patient); return },
		func() (e error) { c.Addenda, e = loadClinical[core.Addendum](t, patient); return },
		func() (e error) { c.Refills, e = loadClinical[core.Refill](t, patient); return },
		func() (e error) { c.Reminders, e = loadClinical[core.Reminder](t, patient); return },
		func() (e error) { c.Adherence, e = loadClinical[core.Adherence](t, patient); return },
		func() (e error) { c.Notes, e = t.notes(patient); return },
		func() (e error) { c.Drafts, e = t.drafts(patient); return },
		func() (e error) { c.Upcoming, e = t.upcoming(patient); return },
	}
	for _, step := range steps {
		if err = step(); err != nil {
			return c, err
		}
	}
	sortChart(&c)
	return c, nil
}

// sortChart puts every list in the order a chart shows it: newest first,
// except the series a trend reads, which run oldest first.
func sortChart(c *core.Chart) {
	newest := func(a, b core.Meta) bool { return a.CreatedAt.After(b.CreatedAt) }
	sort.SliceStable(c.Allergies, func(i, j int) bool { return newest(c.Allergies[i].Meta, c.Allergies[j].Meta) })
	sort.SliceStable(c.Problems, func(i, j int) bool { return newest(c.Problems[i].Meta, c.Problems[j].Meta) })
	sort.SliceStable(c.Prescriptions, func(i, j int) bool { return newest(c.Prescriptions[i].Meta, c.Prescriptions[j].Meta) })
	sort.SliceStable(c.Refills, func(i, j int) bool { return newest(c.Refills[i].Meta, c.Refills[j].Meta) })
	sort.SliceStable(c.Vitals, func(i, j int) bool { return c.Vitals[i].TakenAt.Before(c.Vitals[j].TakenAt) })
	sort.SliceStable(c.Adherence, func(i, j int) bool { return c.Adherence[i].Due.Before(c.Adherence[j].Due) })
}

// notes reads a patient's signed notes, newest first.
func (t *txn) notes(patient core.ID) ([]core.Note, error) {
	out, err := readLive[core.Note](t, t.notesOf(patient))
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// chartReason checks that a reason is given and bounds it for the log.
func chartReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", ErrNoReason
	}
	return clip(reason, 200), nil
}

// Chart opens a patient's whole chart for a clinician and logs the view
// with reason, the real one ("visit 09:30 with dr.okafor", "clinic chart
// show"). Roles without clinical rights are refused, and a clinician
// without a care relationship gets core.ErrNoRelationship until they
// break the glass (BreakGlass).
func (s *Session) Chart(patient core.ID, reason string) (core.Chart, error) {
	var c core.Chart
	if err := s.authorize(core.ActRead, core.KindProblem); err != nil {
		return c, err
	}
	reason, err := chartReason(reason)
	if err != nil {
		return c, err
	}
	err = s.update(func(t *txn) error {
		if err := t.careOrGlass(patient); err != nil {
			return err
		}
		var err error
		if c, err = t.readChart(patient); err != nil {
			return err
		}
		return t.logAccess(patient, core.AccessView, "chart: "+reason)
	})
	return c, err
}

// Allergies lists a patient's allergy records (the "none known" statement
// among them) and logs the view with reason.
func (s *Session) Allergies(patient core.ID, reason string) ([]core.Allergy, error) {
	if err := s.authorize(core.ActRead, core.KindAllergy); err != nil {
		return nil, err
	}
	reason, err := chartReason(reason)
	if err != nil {
		return nil, err
	}
	var out []core.Allergy
	err = s.update(func(t *txn) error {
		if err := t.get(patient, &core.Patient{}); err != nil {
			return err
		}
		if err := t.careOrGlass(patient); err != nil {
			return err
		}
		if out, err = loadClinical[core.Allergy](t, patient); err != nil {
			return err
		}
		return t.logAccess(patient, core.AccessView, "allergies: "+reason)
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// AddAllergy records an allergy, or with NoneKnown set the statement that
// the patient has none. Recording an allergy withdraws an earlier "none
// known"; recording "none known" over listed allergies is refused with
// ErrAllergiesListed, since those must be removed one by one.
func (s *Session) AddAllergy(a core.Allergy) (core.Allergy, error) {
	if a.RecordedBy == "" {
		a.RecordedBy = s.user.Name
	}
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindAllergy); err != nil {
			return err
		}
		if err := t.get(a.PatientID, &core.Patient{}); err != nil {
			return err
		}
		have, err := loadClinical[core.Allergy](t, a.PatientID)
		if err != nil {
			return err
		}
		for _, h := range have {
			switch {
			case a.NoneKnown && !h.NoneKnown:
				return fmt.Errorf("%w: %s is recorded", ErrAllergiesListed, h.Substance)
			case a.NoneKnown:
				return nil // already stated
			case h.NoneKnown:
				if err := t.tombstone(core.KindAllergy, h.ID); err != nil {
					return err
				}
			case strings.EqualFold(strings.TrimSpace(h.Substance), strings.TrimSpace(a.Substance)):
				return fmt.Errorf("%w: %s is already recorded", core.ErrInvalid, h.Substance)
			}
		}
		return t.create(&a)
	})
	return a, err
}

// AddProblem puts a problem on the patient's list, active unless told.
func (s *Session) AddProblem(p core.Problem) (core.Problem, error) {
	if p.Status == "" {
		p.Status = core.ProblemActive
	}
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindProblem); err != nil {
			return err
		}
		if err := t.get(p.PatientID, &core.Patient{}); err != nil {
			return err
		}
		return t.create(&p)
	})
	return p, err
}

// SetProblemStatus resolves a problem, or makes a resolved one active
// again (a relapse).
func (s *Session) SetProblemStatus(id core.ID, to core.ProblemStatus) (core.Problem, error) {
	var p core.Problem
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindProblem); err != nil {
			return err
		}
		if err := t.get(id, &p); err != nil {
			return err
		}
		if err := p.Status.CheckTransition(to); err != nil {
			return err
		}
		p.Status = to
		return t.save(&p)
	})
	return p, err
}

// migrateDraftBucket (v5) makes the records bucket of note drafts, a kind
// older stores do not have.
func migrateDraftBucket(tx *bolt.Tx) error {
	_, err := tx.Bucket(bucketRecords).CreateBucketIfNotExists([]byte(core.KindNoteDraft))
	return err
}

// migrateClinicalIndex (v6) files every chart record under its patient,
// through the index table.
func migrateClinicalIndex(t *txn) error { return t.reindexAll(clinicalKindList...) }

// SaveProblem adds a problem (no ID) or moves an existing one to p.Status,
// for screens that edit a problem in one place.
func (s *Session) SaveProblem(p core.Problem) (core.Problem, error) {
	if p.ID == "" {
		return s.AddProblem(p)
	}
	return s.SetProblemStatus(p.ID, p.Status)
}
