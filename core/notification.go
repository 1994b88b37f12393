package core

import "fmt"

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

// notificationMachine: pending → sent → delivered; pending → failed;
// failed → pending (a retry); pending | failed → cancelled.
var notificationMachine = machine[NotificationStatus]{
	kind: KindNotification,
	next: map[NotificationStatus][]NotificationStatus{
		NotificationPending:   {NotificationSent, NotificationFailed, NotificationCancelled},
		NotificationSent:      {NotificationDelivered},
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
// when CheckConsent allows.
type Notification struct {
	Meta
	PatientID ID                 `json:"patient_id"`
	Recipient string             `json:"recipient"`
	Channel   Channel            `json:"channel"`
	Subject   string             `json:"subject"`
	Body      string             `json:"body" text:"multiline"`
	Status    NotificationStatus `json:"status"`
	Attempts  int                `json:"attempts"`
	LastError string             `json:"last_error"`
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
