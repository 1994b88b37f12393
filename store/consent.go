package store

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"medisecure/core"
)

// ConsentView is a patient's consent as the desk reads it: what holds
// today per channel, and every decision ever recorded, oldest first.
type ConsentView struct {
	Patient core.Patient      `json:"patient"`
	Current core.ConsentFlags `json:"current"`
	History []core.Consent    `json:"history"`
}

// SetConsent records the patient's decisions (granted or withdrawn, per
// consent type) as told in one way (verbal, written, portal): one
// append-only consent record each, with who took it down and when, and the
// patient's standing flags brought in line, in one transaction, logged in
// the access log. It returns the records written.
func (s *Session) SetConsent(patient core.ID, decisions map[core.ConsentType]bool, how core.ConsentMethod) ([]core.Consent, error) {
	if len(decisions) == 0 {
		return nil, &core.ValidationError{Kind: core.KindConsent, Fields: []core.FieldError{{Field: "type", Message: "needs at least one decision"}}}
	}
	var out []core.Consent
	err := s.update(func(t *txn) error {
		var p core.Patient
		if err := t.get(patient, &p); err != nil {
			return err
		}
		var what []string
		for _, ty := range slices.Sorted(maps.Keys(decisions)) {
			c := core.Consent{PatientID: p.ID, Type: ty, Granted: decisions[ty], RecordedBy: s.user.Name, RecordedAt: t.now.UTC(), Method: how}
			if err := t.create(&c); err != nil {
				return err
			}
			core.ApplyConsent(&p, &c)
			if ch, ok := consentChannel[ty]; ok && !c.Granted {
				if err := t.cancelQueued(p.ID, ch, "not sent: consent to "+string(ty)+" withdrawn"); err != nil {
					return err
				}
			}
			out = append(out, c)
			what = append(what, fmt.Sprintf("%s %s", ty, yesNo(c.Granted)))
		}
		if err := t.save(&p); err != nil {
			return err
		}
		return t.logAccess(p.ID, core.AccessChange, "consent ("+string(how)+"): "+strings.Join(what, ", "))
	})
	return out, err
}

// consentChannel is the channel each contact consent governs.
var consentChannel = map[core.ConsentType]core.Channel{core.ConsentSMS: core.ChannelSMS, core.ConsentEmail: core.ChannelEmail}

// yesNo is "granted" or "withdrawn".
func yesNo(granted bool) string {
	if granted {
		return "granted"
	}
	return "withdrawn"
}

// Consents returns a patient's consent: what holds today and the whole
// history. Reading it is logged, as any view of the patient is.
func (s *Session) Consents(patient core.ID, reason string) (ConsentView, error) {
	var v ConsentView
	if err := s.authorize(core.ActRead, core.KindConsent); err != nil {
		return v, err
	}
	err := s.update(func(t *txn) error {
		if err := t.get(patient, &v.Patient); err != nil {
			return err
		}
		var err error
		if v.History, err = t.consentHistory(patient); err != nil {
			return err
		}
		v.Current = core.CurrentConsent(v.Patient, v.History, core.DateOf(t.now, s.db.zone))
		return t.logAccess(patient, core.AccessView, reason)
	})
	return v, err
}

// CheckContact returns nil when the patient may be contacted on channel
// today (core.CheckContact on their flags and consent history), or an
// error wrapping core.ErrNoConsent. Every SMS, e-mail and telemedicine
// session asks it first.
func (s *Session) CheckContact(patient core.ID, channel core.Channel) error {
	return s.view(func(t *txn) error {
		var p core.Patient
		if err := t.get(patient, &p); err != nil {
			return err
		}
		history, err := t.consentHistory(patient)
		if err != nil {
			return err
		}
		return core.CheckContact(p, history, core.DateOf(t.now, s.db.zone), channel)
	})
}

// consentHistory lists the consent records of one patient, oldest first.
// Consents are few, so it reads them all rather than keep an index.
func (t *txn) consentHistory(patient core.ID) ([]core.Consent, error) {
	out := []core.Consent{}
	err := t.each(core.KindConsent, func(rec *core.Record) error {
		var c core.Consent
		if err := rec.Decode(&c); err != nil {
			return err
		}
		if c.PatientID == patient && !c.Deleted {
			out = append(out, c)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].RecordedAt.Equal(out[j].RecordedAt) {
			return out[i].RecordedAt.Before(out[j].RecordedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}
