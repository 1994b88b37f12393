package store

import (
	"time"

	"medisecure/core"
)

// AddVitals records one set of readings taken from a patient at takenAt
// (now when zero), with the BMI derived from the weight and this set's
// height or the last height on file. Every reading is checked against its
// plausible range and unit first; nothing is saved unless all pass.
func (s *Session) AddVitals(patient core.ID, takenAt time.Time, readings []core.Reading) ([]core.Vital, error) {
	var out []core.Vital
	err := s.update(func(t *txn) error {
		if err := s.authorize(core.ActCreate, core.KindVital); err != nil {
			return err
		}
		if err := t.get(patient, &core.Patient{}); err != nil {
			return err
		}
		if takenAt.IsZero() {
			takenAt = t.now
		}
		have, err := loadClinical[core.Vital](t, patient)
		if err != nil {
			return err
		}
		var height float64
		var heightAt time.Time
		for _, v := range have {
			if v.Metric == core.MetricHeightCm && v.TakenAt.After(heightAt) {
				height, heightAt = v.Value, v.TakenAt
			}
		}
		if out, err = core.NewVitals(patient, s.user.Name, takenAt.UTC(), readings, height); err != nil {
			return err
		}
		for i := range out {
			if err := t.create(&out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
