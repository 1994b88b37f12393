package core

import (
	"fmt"
	"time"
)

// maxReminderTimes bounds the doses a day one reminder can announce.
const maxReminderTimes = 12

// ValidClockTime reports whether s is a time of day written HH:MM on the
// 24-hour clock, such as "08:00" or "21:30".
func ValidClockTime(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	return h < 24 && m < 60
}

// Reminder tells a patient to take a drug at set times of day between two
// days, optionally for a prescription. Nurses record whether each dose was
// taken as Adherence.
type Reminder struct {
	Meta
	PatientID      ID       `json:"patient_id"`
	PrescriptionID ID       `json:"prescription_id"`
	Drug           string   `json:"drug"`
	Times          []string `json:"times"`
	StartDate      Date     `json:"start_date"`
	EndDate        Date     `json:"end_date"`
	Channel        Channel  `json:"channel"`
	Active         bool     `json:"active"`
}

func init() { register(KindReminder, func() Entity { return &Reminder{} }) }

// Kind is KindReminder.
func (*Reminder) Kind() Kind { return KindReminder }

// Validate checks every field and lists all that are wrong.
func (r *Reminder) Validate() error {
	c := &checker{kind: KindReminder}
	c.refID("patient", r.PatientID, "a patient")
	c.optRefID("prescription", r.PrescriptionID, "a prescription")
	if c.require("drug", r.Drug) {
		c.maxLen("drug", r.Drug, maxDrugNameChars)
	}
	switch n := len(r.Times); {
	case n == 0:
		c.add("times", "needs at least one time of day")
	case n > maxReminderTimes:
		c.add("times", fmt.Sprintf("must list at most %d times of day", maxReminderTimes))
	}
	seen := map[string]bool{}
	for i, t := range r.Times {
		field := fmt.Sprintf("times[%d]", i)
		switch {
		case !ValidClockTime(t):
			c.add(field, "must be a time of day like 08:00")
		case seen[t]:
			c.add(field, "repeats "+t)
		}
		seen[t] = true
	}
	c.period("start_date", r.StartDate, "end_date", r.EndDate)
	if !r.Channel.Valid() {
		c.add("channel", "must be one of in_app, sms, email")
	}
	c.freeText(r)
	return c.err()
}

// Adherence records whether one dose a reminder announced was taken.
// Adherence events are append-only: a mistake is corrected by a later event
// for the same dose.
type Adherence struct {
	Meta
	ReminderID ID        `json:"reminder_id"`
	PatientID  ID        `json:"patient_id"`
	Due        time.Time `json:"due"`
	Taken      bool      `json:"taken"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
	Note       string    `json:"note"`
}

func init() { register(KindAdherence, func() Entity { return &Adherence{} }) }

// Kind is KindAdherence.
func (*Adherence) Kind() Kind { return KindAdherence }

// Validate checks every field and lists all that are wrong.
func (a *Adherence) Validate() error {
	c := &checker{kind: KindAdherence}
	c.refID("reminder", a.ReminderID, "a reminder")
	c.refID("patient", a.PatientID, "a patient")
	if a.Due.IsZero() {
		c.add("due", "is required")
	}
	if a.RecordedAt.IsZero() {
		c.add("recorded_at", "is required")
	}
	c.staff("recorded_by", a.RecordedBy)
	c.maxLen("note", a.Note, 500)
	c.freeText(a)
	return c.err()
}
