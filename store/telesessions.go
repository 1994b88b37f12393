package store

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"sort"
	"strings"

	"medisecure/core"
)

// telesessionID is the one video session of an appointment, so booking it
// on two workstations makes one record once they merge.
func telesessionID(appt core.ID) core.ID { return core.NotificationID("telesession", string(appt)) }

// BookTelesession makes the appointment a video consultation: the
// patient's telemedicine consent is checked in core first (ErrNoConsent),
// the join link is the clinic's provider address followed by a random room
// name, and the link goes to the patient by SMS and e-mail where they
// agreed, through the outbox, in the same transaction.
func (s *Session) BookTelesession(appt core.ID) (core.Telesession, error) {
	var ts core.Telesession
	err := s.update(func(t *txn) error {
		var a core.Appointment
		if err := t.get(appt, &a); err != nil {
			return err
		}
		if a.Status != core.ApptBooked && a.Status != core.ApptCheckedIn {
			return &core.ValidationError{Kind: core.KindTelesession, Fields: []core.FieldError{{Field: "appointment", Message: "is " + core.StatusWord(string(a.Status)) + "; only a booked appointment becomes a video consultation"}}}
		}
		if err := t.checkTelemedicine(a.PatientID); err != nil {
			return err
		}
		cfg, ok, err := t.notifyConfig()
		if err != nil {
			return err
		}
		if !ok || cfg.TeleURL == "" {
			return fmt.Errorf("%w: no video provider; set one with clinic notify config --tele-url https://meet.jit.si/", ErrNotConfigured)
		}
		rec, err := t.load(core.KindTelesession, telesessionID(a.ID))
		if err != nil {
			return err
		}
		if rec.Exists() && !rec.Deleted() {
			return fmt.Errorf("%w: appointment %s already has video session %s", core.ErrInvalid, a.ID, telesessionID(a.ID))
		}
		ts = core.Telesession{
			Meta: core.Meta{ID: telesessionID(a.ID)}, AppointmentID: a.ID, PatientID: a.PatientID, Doctor: a.Doctor,
			ScheduledAt: a.Start, Minutes: a.Minutes, Status: core.TelesessionScheduled, JoinURL: joinURL(cfg.TeleURL),
		}
		if err := t.create(&ts); err != nil {
			return err
		}
		_, err = t.queueNotices(notice{purpose: core.PurposeTelemedicine, tele: &ts, link: ts.JoinURL, notBefore: t.now})
		return err
	})
	return ts, err
}

// joinURL is the provider's address and a random room name no one can
// guess (80 bits).
func joinURL(base string) string {
	b := make([]byte, 10)
	rand.Read(b) // crypto/rand never returns an error since Go 1.24
	room := "medisecure-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return strings.TrimRight(base, "/") + "/" + room
}

// checkTelemedicine asks core whether the patient agrees to telemedicine
// today.
func (t *txn) checkTelemedicine(patient core.ID) error {
	var p core.Patient
	if err := t.get(patient, &p); err != nil {
		return err
	}
	history, err := t.consentHistory(patient)
	if err != nil {
		return err
	}
	return core.CheckTelemedicine(p, history, core.DateOf(t.now, t.s.db.zone))
}

// StartTelesession starts a scheduled video session (consent is checked
// again: it may have been withdrawn since booking).
func (s *Session) StartTelesession(id core.ID) (core.Telesession, error) {
	return s.moveTelesession(id, core.TelesessionLive)
}

// EndTelesession ends a live session; its duration is EndedAt − StartedAt.
func (s *Session) EndTelesession(id core.ID) (core.Telesession, error) {
	return s.moveTelesession(id, core.TelesessionEnded)
}

// CancelTelesession cancels a session that has not started; a link still
// waiting in the outbox is not sent.
func (s *Session) CancelTelesession(id core.ID) (core.Telesession, error) {
	return s.moveTelesession(id, core.TelesessionCancelled)
}

// moveTelesession takes a session to status to, stamping when it started
// or ended.
func (s *Session) moveTelesession(id core.ID, to core.TelesessionStatus) (core.Telesession, error) {
	var ts core.Telesession
	err := s.update(func(t *txn) error {
		if err := t.get(id, &ts); err != nil {
			return err
		}
		if err := ts.Status.CheckTransition(to); err != nil {
			return err
		}
		switch to {
		case core.TelesessionLive:
			if err := t.checkTelemedicine(ts.PatientID); err != nil {
				return err
			}
			ts.StartedAt = t.now.UTC()
		case core.TelesessionEnded:
			ts.EndedAt = t.now.UTC()
		}
		ts.Status = to
		return t.save(&ts)
	})
	return ts, err
}

// Telesessions lists the video sessions of a day (by their time in the
// clinic's zone), for one doctor or, when doctor is "", for all, by time.
func (s *Session) Telesessions(day core.Date, doctor string) ([]core.Telesession, error) {
	if err := s.authorize(core.ActRead, core.KindTelesession); err != nil {
		return nil, err
	}
	var out []core.Telesession
	err := s.view(func(t *txn) error {
		return t.each(core.KindTelesession, func(rec *core.Record) error {
			var ts core.Telesession
			if err := rec.Decode(&ts); err != nil {
				return err
			}
			if !ts.Deleted && core.DateOf(ts.ScheduledAt, s.db.zone) == day && (doctor == "" || ts.Doctor == doctor) {
				out = append(out, ts)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ScheduledAt.Before(out[j].ScheduledAt) })
	return out, err
}

// TelesessionFor returns the video session of an appointment; ok is false
// when it has none.
func (s *Session) TelesessionFor(appt core.ID) (core.Telesession, bool, error) {
	var ts core.Telesession
	if err := s.authorize(core.ActRead, core.KindTelesession); err != nil {
		return ts, false, err
	}
	ok := false
	err := s.view(func(t *txn) error {
		rec, err := t.load(core.KindTelesession, telesessionID(appt))
		if err != nil || !rec.Exists() || rec.Deleted() {
			return err
		}
		ok = true
		return rec.Decode(&ts)
	})
	return ts, ok, err
}
