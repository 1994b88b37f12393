package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"medisecure/core"
)

// Conflicts are derived from merged state: after every write, each changed
// appointment is checked against the doctor, room and patient index of its
// day. A clash becomes an open conflict record; a conflict whose pair no
// longer clashes is resolved and tombstoned. The records are written with a
// zero stamp and fields that depend only on the two appointments, so every
// replica that holds the same appointments holds the same conflicts.
//
// Index entries classConflict ‖ appointment ID ‖ conflict ID find the
// conflicts an appointment is part of.

// checkConflicts rechecks every appointment this transaction changed.
func (t *txn) checkConflicts() error {
	ids := make([]core.ID, 0, len(t.appts))
	for id := range t.appts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if len(ids) > 1 {
		// Appointments share their doctors' and rooms' days: each day is
		// read once (the check writes only conflicts meanwhile).
		defer t.holdOwnerDays()()
	}
	for _, id := range ids {
		if err := t.checkAppointment(t.appts[id]); err != nil {
			return err
		}
	}
	return nil
}

// checkAppointment raises conflicts for an appointment's clashes and
// resolves its conflicts that no longer hold.
func (t *txn) checkAppointment(a *core.Appointment) error {
	id := a.ID
	clashing := map[core.ID]string{}
	if !a.Deleted && a.Status.Holds() {
		want := a.Slot()
		for _, c := range core.Clashes(want, t.contenders(want, core.DateOf(a.Start, t.s.db.zone))) {
			if _, ok := clashing[c.With]; !ok {
				clashing[c.With] = c.On
			}
		}
	}
	for other, on := range clashing {
		var b core.Appointment
		if err := t.get(other, &b); err != nil {
			return err
		}
		created := a.CreatedAt
		if b.CreatedAt.After(created) {
			created = b.CreatedAt
		}
		c := core.NewConflict(on, a.ID, b.ID, 0)
		c.CreatedAt, c.UpdatedAt = created, created
		if err := t.putConflict(c); err != nil {
			return err
		}
	}
	return t.resolveStale(id, clashing)
}

// resolveStale tombstones the open conflicts of an appointment whose other
// side no longer clashes with it.
func (t *txn) resolveStale(id core.ID, clashing map[core.ID]string) error {
	prefix := append([]byte{classConflict}, id.Bytes()...)
	c := t.tx.Bucket(bucketSchedule).Cursor()
	var stale []core.ID
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		stale = append(stale, core.ID(hex.EncodeToString(k[len(prefix):])))
	}
	for _, cid := range stale {
		var cf core.Conflict
		if err := t.get(cid, &cf); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return err
		}
		if _, still := clashing[cf.Other(id)]; still {
			continue
		}
		cf.Status, cf.Deleted = core.ConflictResolved, true
		if err := t.putConflict(&cf); err != nil {
			return err
		}
	}
	return nil
}

// putConflict writes a conflict record as derived state (zero stamp, no
// outbox entry) and indexes it under both appointments.
func (t *txn) putConflict(c *core.Conflict) error {
	fields, err := core.FieldsOf(c)
	if err != nil {
		return err
	}
	rec := core.NewRecord(core.KindConflict, c.ID)
	rec.Apply(&core.Change{Fields: fields, Device: "merge"})
	if err := t.put(rec); err != nil {
		return err
	}
	b := t.tx.Bucket(bucketSchedule)
	for i, a := range c.Appointments {
		key := append(append([]byte{classConflict}, a.Bytes()...), c.ID.Bytes()...)
		var err error
		if c.Deleted {
			err = b.Delete(key)
		} else {
			err = b.Put(key, c.Appointments[1-i].Bytes())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Conflicts lists open conflicts, oldest first.
func (s *Session) Conflicts() ([]core.Conflict, error) {
	if err := s.authorize(core.ActRead, core.KindConflict); err != nil {
		return nil, err
	}
	var out []core.Conflict
	err := s.view(func(t *txn) error {
		return t.each(core.KindConflict, func(rec *core.Record) error {
			var c core.Conflict
			if err := rec.Decode(&c); err != nil {
				return err
			}
			if c.Status == core.ConflictOpen {
				out = append(out, c)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// ErrNotInConflict is returned when the appointment to keep is not part of
// the conflict.
var ErrNotInConflict = core.NewError(core.ClassValidation, "store: appointment is not part of that conflict")

// ResolveConflict keeps one appointment of a conflict and cancels the other
// with a reason naming the conflict, or moves it to moveTo when that is not
// zero. The resolution is an ordinary change, so it syncs; every replica
// then finds the pair no longer clashes.
func (s *Session) ResolveConflict(id, keep core.ID, moveTo time.Time) error {
	return s.update(func(t *txn) error {
		if err := s.authorize(core.ActUpdate, core.KindConflict); err != nil {
			return err
		}
		var c core.Conflict
		if err := t.get(id, &c); err != nil {
			return err
		}
		if c.Status != core.ConflictOpen {
			return fmt.Errorf("%w: conflict %s is already resolved", core.ErrInvalid, id)
		}
		if keep != c.Appointments[0] && keep != c.Appointments[1] {
			return fmt.Errorf("%w: %s", ErrNotInConflict, keep)
		}
		var other core.Appointment
		if err := t.get(c.Other(keep), &other); err != nil {
			return err
		}
		if moveTo.IsZero() {
			return t.setStatus(&other, core.ApptCancelled, fmt.Sprintf("double booking %s resolved by %s: kept %s", id.Short(), s.user.Name, keep.Short()))
		}
		other.Start = moveTo.UTC()
		if err := t.checkSlot(&other); err != nil {
			return err
		}
		return t.save(&other)
	})
}

// each calls fn for every record of a kind, in ID order.
func (t *txn) each(k core.Kind, fn func(*core.Record) error) error {
	return kindBucket(t.tx, k).ForEach(func(key, v []byte) error {
		rec, err := t.open(k, core.ID(hex.EncodeToString(key)), v)
		if err != nil {
			return err
		}
		return fn(rec)
	})
}
