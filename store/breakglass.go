package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"medisecure/core"
)

// minGlassReason is the shortest reason a break-the-glass access takes,
// so "x" does not pass for one.
const minGlassReason = 10

// glassKey is the index key of one user's access to one patient.
func (t *txn) glassKey(patient core.ID) []byte {
	return append([]byte{classGlass}, t.owner(classGlass, t.s.user.Name+"\x00"+string(patient))...)
}

// careOrGlass refuses a clinician's read of a patient's chart without a
// care relationship (core.InCare) or a break-the-glass access that has
// not expired, with core.ErrNoRelationship.
func (t *txn) careOrGlass(patient core.ID) error {
	var appts []core.Appointment
	for _, id := range t.visitsOf(patient) {
		var a core.Appointment
		if err := t.get(id, &a); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return err
		}
		appts = append(appts, a)
	}
	if core.InCare(t.s.Principal(), appts, t.now) {
		return nil
	}
	if v := t.tx.Bucket(bucketSchedule).Get(t.glassKey(patient)); len(v) == 8 && t.now.Before(time.UnixMilli(int64(binary.BigEndian.Uint64(v)))) {
		return nil
	}
	return core.ErrNoRelationship
}

// BreakGlass opens a patient's chart to a clinician outside a care
// relationship for core.BreakGlassFor: the access is logged as
// break-the-glass with its reason, for an admin to review (AuditReview).
// It returns when the access expires.
func (s *Session) BreakGlass(patient core.ID, reason string) (time.Time, error) {
	var until time.Time
	if err := s.authorize(core.ActRead, core.KindProblem); err != nil {
		return until, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < minGlassReason {
		return until, fmt.Errorf("%w: say why you open this chart (at least %d characters), for the review", core.ErrInvalid, minGlassReason)
	}
	err := s.update(func(t *txn) error {
		if err := t.get(patient, &core.Patient{}); err != nil {
			return err
		}
		until = t.now.Add(core.BreakGlassFor)
		if err := t.logAccess(patient, core.AccessBreakGlass, clip(reason, 200)); err != nil {
			return err
		}
		return t.tx.Bucket(bucketSchedule).Put(t.glassKey(patient), binary.BigEndian.AppendUint64(nil, uint64(until.UnixMilli())))
	})
	return until, err
}

// AuditReview lists the break-the-glass accesses for an admin to review,
// newest first.
func (s *Session) AuditReview() ([]core.AccessEntry, error) {
	all, err := s.AuditList("")
	if err != nil {
		return nil, err
	}
	var out []core.AccessEntry
	for _, e := range all {
		if e.Action == core.AccessBreakGlass {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	return out, nil
}
