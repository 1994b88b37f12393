package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Channel is how a notification or reminder reaches someone.
type Channel string

// The channels. In-app notifications show in the workstation; SMS and e-mail
// wait in the outbox for a gateway.
const (
	ChannelInApp Channel = "in_app"
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Channels lists every channel.
var Channels = []Channel{ChannelInApp, ChannelSMS, ChannelEmail}

// Valid reports whether ch is one of Channels.
func (ch Channel) Valid() bool {
	for _, x := range Channels {
		if x == ch {
			return true
		}
	}
	return false
}

// NotificationStatus is where a notification is on its way out.
type NotificationStatus string

// The notification statuses.
const (
	NotificationPending   NotificationStatus = "pending"
	NotificationSent      NotificationStatus = "sent"
	NotificationDelivered NotificationStatus = "delivered"
	NotificationFailed    NotificationStatus = "failed"
	NotificationCancelled NotificationStatus = "cancelled"
)

// notificationMachine: pending → sent (handed to a gateway, the outcome
// not yet recorded) → delivered; sent → pending (a retry after a passing
// failure) or failed (a refusal, or too many attempts); pending → failed;
// failed → pending (a retry a person asked for); pending | failed →
// cancelled. A notification left at sent (the workstation stopped while
// sending) is never retried on its own: the gateway may have taken it, and
// a patient must not get it twice.
var notificationMachine = machine[NotificationStatus]{
	kind: KindNotification,
	next: map[NotificationStatus][]NotificationStatus{
		NotificationPending:   {NotificationSent, NotificationFailed, NotificationCancelled},
		NotificationSent:      {NotificationDelivered, NotificationPending, NotificationFailed},
		NotificationDelivered: nil,
		NotificationFailed:    {NotificationPending, NotificationCancelled},
		NotificationCancelled: nil,
	},
}

// CheckTransition returns nil when a notification may go from s to next, or
// a *TransitionError wrapping ErrTransition.
func (s NotificationStatus) CheckTransition(next NotificationStatus) error {
	return notificationMachine.check(s, next)
}

// ParseNotificationStatus checks that s names a notification status.
func ParseNotificationStatus(s string) (NotificationStatus, error) {
	c := &checker{kind: KindNotification}
	notificationMachine.checkState(c, "status", NotificationStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return NotificationStatus(s), nil
}

// maxAttempts bounds the retries of one notification.
const maxAttempts = 100

// Notification is a message to a patient (by SMS or e-mail, through the
// outbox) or to a member of staff (in the app). SMS and e-mail go out only
// when CheckContact allows, asked again right before every attempt.
type Notification struct {
	Meta
	PatientID ID                 `json:"patient_id"`
	Recipient string             `json:"recipient"`
	Channel   Channel            `json:"channel"`
	Purpose   Purpose            `json:"purpose"`
	Subject   string             `json:"subject"`
	Body      string             `json:"body" text:"multiline"`
	Status    NotificationStatus `json:"status"`
	Attempts  int                `json:"attempts"`
	LastError string             `json:"last_error"`
	// AppointmentID and About are the appointment (and the start it had
	// when this was written) a reminder, confirmation or cancellation
	// speaks of; a notice whose appointment moved or was cancelled since
	// is cancelled instead of sent.
	AppointmentID ID        `json:"appointment_id"`
	About         time.Time `json:"about"`
	// Ref is the record an in-app notification points to (a refill, a
	// message, a conflict, a document); Telesession the video session a
	// telemedicine link belongs to.
	Ref ID `json:"ref"`
	// NotBefore is when it may first go out (a reminder: the day before,
	// at the clinic's hour); NextAttempt when a retry may go.
	NotBefore   time.Time `json:"not_before"`
	NextAttempt time.Time `json:"next_attempt"`
	// SentBy is the device that handed it to the gateway.
	SentBy string `json:"sent_by"`
}

func init() { register(KindNotification, func() Entity { return &Notification{} }) }

// Kind is KindNotification.
func (*Notification) Kind() Kind { return KindNotification }

// Validate checks every field and lists all that are wrong. A notification
// goes to a patient, a member of staff or both; SMS and e-mail need a patient,
// whose phone or address they use; a failed one says why.
func (n *Notification) Validate() error {
	c := &checker{kind: KindNotification}
	c.optRefID("patient", n.PatientID, "a patient")
	c.optStaff("recipient", n.Recipient)
	if n.PatientID == "" && n.Recipient == "" {
		c.add("recipient", "is required when there is no patient")
	}
	switch {
	case !n.Channel.Valid():
		c.add("channel", "must be one of in_app, sms, email")
	case n.Channel != ChannelInApp && n.PatientID == "":
		c.add("patient", fmt.Sprintf("is required for %s", n.Channel))
	}
	if n.Purpose != "" && !n.Purpose.Valid() {
		c.add("purpose", "must be one of reminder, confirmation, cancellation, telemedicine, refill, message, conflict, document")
	}
	c.optRefID("appointment", n.AppointmentID, "an appointment")
	c.maxLen("subject", n.Subject, 200)
	if c.require("body", n.Body) {
		c.maxLen("body", n.Body, 4000)
	}
	notificationMachine.checkState(c, "status", n.Status)
	if n.Attempts < 0 || n.Attempts > maxAttempts {
		c.add("attempts", fmt.Sprintf("must be between 0 and %d", maxAttempts))
	}
	if n.Status == NotificationFailed {
		c.require("last_error", n.LastError)
	}
	c.maxLen("last_error", n.LastError, 500)
	c.freeText(n)
	return c.err()
}

// CheckConsent returns nil when the patient may be contacted on channel:
// in-app always (it reaches staff, not the patient); SMS when the patient
// agreed to SMS and has a phone number; e-mail when they agreed to e-mail
// and have an address. Otherwise the error wraps ErrNoConsent, or ErrInvalid
// for an unknown channel.
func CheckConsent(p *Patient, channel Channel) error {
	switch channel {
	case ChannelInApp:
		return nil
	case ChannelSMS:
		switch {
		case !p.Consent.SMS:
			return fmt.Errorf("%w: the patient has not agreed to SMS", ErrNoConsent)
		case p.Phone == "":
			return fmt.Errorf("%w: the patient has no phone number for SMS", ErrNoConsent)
		}
		return nil
	case ChannelEmail:
		switch {
		case !p.Consent.Email:
			return fmt.Errorf("%w: the patient has not agreed to e-mail", ErrNoConsent)
		case p.Email == "":
			return fmt.Errorf("%w: the patient has no e-mail address", ErrNoConsent)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown channel %q", ErrInvalid, channel)
}

// Purpose is what a notification is about: it picks the clinic's template
// for a patient, or the line an in-app notification shows.
type Purpose string

// The purposes. The first four go to patients, the rest to staff in the app.
const (
	PurposeReminder     Purpose = "reminder"
	PurposeConfirmation Purpose = "confirmation"
	PurposeCancellation Purpose = "cancellation"
	PurposeTelemedicine Purpose = "telemedicine"
	PurposeRefill       Purpose = "refill"
	PurposeMessage      Purpose = "message"
	PurposeConflict     Purpose = "conflict"
	PurposeDocument     Purpose = "document"
)

// PatientPurposes are the purposes with a clinic template, in the order
// the commands list them.
var PatientPurposes = []Purpose{PurposeReminder, PurposeConfirmation, PurposeCancellation, PurposeTelemedicine}

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeReminder, PurposeConfirmation, PurposeCancellation, PurposeTelemedicine,
		PurposeRefill, PurposeMessage, PurposeConflict, PurposeDocument:
		return true
	}
	return false
}

// NotificationID is the one ID of a notification made of parts (the
// appointment, the purpose, the channel, the start it speaks of): the same
// notice queued on two workstations is one record once they merge, so it
// is sent once.
func NotificationID(parts ...string) ID {
	h := sha256.New()
	h.Write([]byte("notification"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return ID(hex.EncodeToString(h.Sum(nil)[:12]))
}

// MaxDeliveryAttempts is how many times a patient notification is tried
// before it is failed for good.
const MaxDeliveryAttempts = 6

// RetryDelay is how long to wait after the attempts-th failed attempt: one
// minute, doubling each time, at most an hour.
func RetryDelay(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// ReminderDue is when the reminder of an appointment starting at start
// goes out: the day before, at hour o'clock in the clinic's zone.
func ReminderDue(start time.Time, hour int, zone *time.Location) time.Time {
	d := start.In(zone).AddDate(0, 0, -1)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, zone)
}
