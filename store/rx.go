package store

import (
	"errors"
	"fmt"
	"strings"

	"medisecure/core"
)

// ErrNoOverride is returned when an override reason is given for a
// prescription that passed every safety check, so nothing would be
// overridden and the reason would mislead.
var ErrNoOverride = core.NewError(core.ClassValidation, "store: nothing to override: every safety check passed")

// safetyContext reads what the checks need of a patient: the allergies
// and the drugs they take now.
func (t *txn) safetyContext(patient core.ID) ([]core.Allergy, []core.MedLine, error) {
	allergies, err := loadClinical[core.Allergy](t, patient)
	if err != nil {
		return nil, nil, err
	}
	rx, err := loadClinical[core.Prescription](t, patient)
	if err != nil {
		return nil, nil, err
	}
	meds, err := loadClinical[core.Medication](t, patient)
	if err != nil {
		return nil, nil, err
	}
	return allergies, core.CurrentMedications(rx, meds), nil
}

// Prescribe saves a prescription after every safety check of the shipped
// formulary (allergy and cross-reactive classes, duplicate therapy, dose
// range, interactions with what the patient takes). Any alert blocks it
// with a *core.SafetyError listing them, unless override gives the
// prescriber's reason, which is saved with the alerts on the
// prescription. The prescriber is the session's user; a blank start is
// today.
func (s *Session) Prescribe(p core.Prescription, override string) (core.Prescription, error) {
	f, err := core.DefaultFormulary()
	if err != nil {
		return p, err
	}
	override = strings.TrimSpace(override)
	err = s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindPrescription); err != nil {
			return err
		}
		if err := t.get(p.PatientID, &core.Patient{}); err != nil {
			return err
		}
		allergies, current, err := t.safetyContext(p.PatientID)
		if err != nil {
			return err
		}
		p.Doctor, p.Status = s.user.Name, core.PrescriptionActive
		if p.StartDate == "" {
			p.StartDate = core.DateOf(t.now, s.db.zone)
		}
		alerts := f.CheckPrescription(&p, allergies, current)
		switch {
		case len(alerts) > 0 && override == "":
			return &core.SafetyError{Alerts: alerts}
		case len(alerts) == 0 && override != "":
			return ErrNoOverride
		}
		p.Alerts, p.Override = alerts, override
		if err := t.logAccess(p.PatientID, core.AccessView, "prescribing: allergies and medications checked"); err != nil {
			return err
		}
		return t.create(&p)
	})
	return p, err
}

// CancelPrescription stops an active prescription, saying why.
func (s *Session) CancelPrescription(id core.ID, reason string) (core.Prescription, error) {
	var p core.Prescription
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindPrescription); err != nil {
			return err
		}
		if err := t.get(id, &p); err != nil {
			return err
		}
		if err := p.Status.CheckTransition(core.PrescriptionCancelled); err != nil {
			return err
		}
		p.Status, p.StatusReason = core.PrescriptionCancelled, strings.TrimSpace(reason)
		return t.save(&p)
	})
	return p, err
}

// Prescription reads one prescription.
func (s *Session) Prescription(id core.ID) (core.Prescription, error) {
	var p core.Prescription
	if err := s.authorize(core.ActRead, core.KindPrescription); err != nil {
		return p, err
	}
	err := s.update(func(t *txn) error {
		if err := t.get(id, &p); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: no prescription %s", ErrNotFound, id)
			}
			return err
		}
		return t.logAccess(p.PatientID, core.AccessView, "prescription "+id.Short())
	})
	return p, err
}
