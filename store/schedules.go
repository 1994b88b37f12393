package store

import (
	"fmt"

	"medisecure/core"
)

// SetSchedule saves a doctor's working hours, replacing any earlier ones.
func (s *Session) SetSchedule(sc core.Schedule) (core.Schedule, error) {
	err := s.update(func(t *txn) error {
		u, err := s.lookupUser(t.tx, sc.Doctor)
		if err != nil || u.Role != core.RoleDoctor {
			return &core.ValidationError{Kind: core.KindSchedule, Fields: []core.FieldError{{Field: "doctor", Message: fmt.Sprintf("%q is not a doctor here", sc.Doctor)}}}
		}
		if old, err := t.scheduleOf(sc.Doctor); err == nil {
			sc.Meta = old.Meta
			return t.save(&sc)
		}
		return t.create(&sc)
	})
	return sc, err
}

// Schedule returns a doctor's working hours, or ErrNoSchedule.
func (s *Session) Schedule(doctor string) (core.Schedule, error) {
	var sc core.Schedule
	if err := s.authorize(core.ActRead, core.KindSchedule); err != nil {
		return sc, err
	}
	err := s.view(func(t *txn) error {
		got, err := t.scheduleOf(doctor)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrNoSchedule, doctor)
		}
		sc = *got
		return nil
	})
	return sc, err
}
