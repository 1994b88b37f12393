package core

import (
	"fmt"
	"net/url"
	"time"
)

// TelesessionStatus is where a video consultation is.
type TelesessionStatus string

// The telesession statuses.
const (
	TelesessionScheduled TelesessionStatus = "scheduled"
	TelesessionLive      TelesessionStatus = "live"
	TelesessionEnded     TelesessionStatus = "ended"
	TelesessionCancelled TelesessionStatus = "cancelled"
)

// telesessionMachine: scheduled → live → ended; scheduled → cancelled. A live
// session can only end: it happened, and cancelling would hide that.
var telesessionMachine = machine[TelesessionStatus]{
	kind: KindTelesession,
	next: map[TelesessionStatus][]TelesessionStatus{
		TelesessionScheduled: {TelesessionLive, TelesessionCancelled},
		TelesessionLive:      {TelesessionEnded},
		TelesessionEnded:     nil,
		TelesessionCancelled: nil,
	},
}

// CheckTransition returns nil when a telesession may go from s to next, or a
// *TransitionError wrapping ErrTransition.
func (s TelesessionStatus) CheckTransition(next TelesessionStatus) error {
	return telesessionMachine.check(s, next)
}

// ParseTelesessionStatus checks that s names a telesession status.
func ParseTelesessionStatus(s string) (TelesessionStatus, error) {
	c := &checker{kind: KindTelesession}
	telesessionMachine.checkState(c, "status", TelesessionStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return TelesessionStatus(s), nil
}

// Telesession is a video consultation between a doctor and a patient,
// optionally standing in for an appointment. It may be booked only when
// CheckTelemedicineConsent allows.
type Telesession struct {
	Meta
	AppointmentID ID                `json:"appointment_id"`
	PatientID     ID                `json:"patient_id"`
	Doctor        string            `json:"doctor"`
	ScheduledAt   time.Time         `json:"scheduled_at"`
	Minutes       int               `json:"minutes"`
	Status        TelesessionStatus `json:"status"`
	JoinURL       string            `json:"join_url"`
	StartedAt     time.Time         `json:"started_at"`
	EndedAt       time.Time         `json:"ended_at"`
}

func init() { register(KindTelesession, func() Entity { return &Telesession{} }) }

// Kind is KindTelesession.
func (*Telesession) Kind() Kind { return KindTelesession }

// Validate checks every field and lists all that are wrong. A live or ended
// session says when it started, an ended one when it ended.
func (t *Telesession) Validate() error {
	c := &checker{kind: KindTelesession}
	c.optRefID("appointment", t.AppointmentID, "an appointment")
	c.refID("patient", t.PatientID, "a patient")
	c.staff("doctor", t.Doctor)
	if t.ScheduledAt.IsZero() {
		c.add("scheduled_at", "is required")
	}
	if t.Minutes < 5 || t.Minutes > 240 {
		c.add("minutes", "must be between 5 and 240")
	}
	telesessionMachine.checkState(c, "status", t.Status)
	if t.JoinURL != "" {
		if u, err := url.Parse(t.JoinURL); err != nil || u.Scheme != "https" || u.Host == "" {
			c.add("join_url", "must be an https:// address")
		} else {
			c.maxLen("join_url", t.JoinURL, 500)
		}
	}
	if (t.Status == TelesessionLive || t.Status == TelesessionEnded) && t.StartedAt.IsZero() {
		c.add("started_at", fmt.Sprintf("is required when the session is %s", t.Status))
	}
	switch {
	case t.Status == TelesessionEnded && t.EndedAt.IsZero():
		c.add("ended_at", "is required when the session is ended")
	case !t.EndedAt.IsZero() && t.EndedAt.Before(t.StartedAt):
		c.add("ended_at", "must not be before started_at")
	}
	c.freeText(t)
	return c.err()
}

// CheckTelemedicineConsent returns nil when the patient agreed to
// telemedicine, or an error wrapping ErrNoConsent.
func CheckTelemedicineConsent(p *Patient) error {
	if !p.Consent.Telemedicine {
		return fmt.Errorf("%w: the patient has not agreed to telemedicine", ErrNoConsent)
	}
	return nil
}

// Duration is how long the session lasted: from its start to its end, zero
// until it ended. It is derived, never stored, so it cannot disagree with
// the times it comes from.
func (t *Telesession) Duration() time.Duration {
	if t.EndedAt.IsZero() || t.StartedAt.IsZero() {
		return 0
	}
	return t.EndedAt.Sub(t.StartedAt)
}
