package core

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// NotifyConfig is how the clinic reaches its patients: the SMTP server and
// sender address for e-mail, the SMS gateway (Twilio-compatible), the hour
// reminders go out the day before, the telemedicine provider's address,
// the clinic's templates, and the one device that sends. It is a single
// record (NotifyConfigID) that syncs; the gateways' secrets do not sync:
// they stay sealed on the sending device.
type NotifyConfig struct {
	Meta
	// SMTPAddr is host:port; SMTPUser the login, empty for none.
	SMTPAddr string `json:"smtp_addr"`
	From     string `json:"from"`
	SMTPUser string `json:"smtp_user"`
	// SMSURL is the gateway's base URL; SMSAccount the account SID.
	SMSURL     string `json:"sms_url"`
	SMSAccount string `json:"sms_account"`
	SMSFrom    string `json:"sms_from"`
	// ReminderHour is the hour (0–23, the clinic's zone) of the day before
	// an appointment when its reminder goes out.
	ReminderHour int `json:"reminder_hour"`
	// Sender is the ID of the only device that hands notifications to the
	// gateways; every other workstation queues and waits.
	Sender string `json:"sender"`
	// TeleURL is the video provider's base address; a session's link is
	// it followed by a random room name.
	TeleURL   string               `json:"tele_url"`
	Templates map[Purpose]Template `json:"templates"`
}

// NotifyConfigID is the ID of the clinic's one NotifyConfig record.
var NotifyConfigID = NotificationID("config")

func init() { register(KindNotifyConfig, func() Entity { return &NotifyConfig{} }) }

// Kind is KindNotifyConfig.
func (*NotifyConfig) Kind() Kind { return KindNotifyConfig }

// DefaultReminderHour is when reminders go out unless the clinic says.
const DefaultReminderHour = 10

// Validate checks every field and lists all that are wrong.
func (n *NotifyConfig) Validate() error {
	c := &checker{kind: KindNotifyConfig}
	if n.SMTPAddr != "" {
		if host, port, err := net.SplitHostPort(n.SMTPAddr); err != nil || host == "" || port == "" {
			c.add("smtp", "must be host:port, for example mail.example.org:587")
		}
		if _, err := mail.ParseAddress(n.From); err != nil || strings.ContainsAny(n.From, "<>\"") {
			c.add("from", "must be an e-mail address, for example clinic@example.org")
		}
	}
	c.maxLen("smtp_user", n.SMTPUser, 200)
	if n.SMSURL != "" {
		if msg := gatewayURLProblem(n.SMSURL); msg != "" {
			c.add("sms_url", msg)
		}
		if !smsAccount.MatchString(n.SMSAccount) {
			c.add("sms_account", "must be the gateway's account ID (letters and digits)")
		}
		if !phoneNumber.MatchString(n.SMSFrom) {
			c.add("sms_from", "must be a phone number such as +15551234567")
		}
	}
	if n.ReminderHour < 0 || n.ReminderHour > 23 {
		c.add("reminder_hour", "must be between 0 and 23")
	}
	c.require("sender", n.Sender)
	if n.TeleURL != "" {
		if u, err := url.Parse(n.TeleURL); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			c.add("tele_url", "must be an https:// address without ? or #, for example https://meet.jit.si/")
		}
	}
	for p, t := range n.Templates {
		if !p.Valid() {
			c.add("templates", fmt.Sprintf("%q is not a purpose", p))
			continue
		}
		if msg := t.problem(); msg != "" {
			c.add("templates."+string(p), msg)
		}
	}
	c.freeText(n)
	return c.err()
}

var (
	smsAccount  = regexp.MustCompile(`^[A-Za-z0-9]{2,64}$`)
	phoneNumber = regexp.MustCompile(`^\+?[0-9]{5,15}$`)
)

// gatewayURLProblem says what is wrong with a gateway's base URL: it must
// be https, or http to this machine only (a local relay or a test).
func gatewayURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "must be the gateway's base address, for example https://api.twilio.com"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return ""
		}
	}
	return "must be https:// (http:// only to this machine); text messages carry patient data"
}

// Template is a clinic's wording of one purpose. {patient}, {clinic},
// {doctor}, {date}, {time} and {link} are filled in; an SMS sends the body
// alone.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body" text:"multiline"`
}

// placeholders are the names a template may use.
var placeholders = []string{"patient", "clinic", "doctor", "date", "time", "link"}

// placeholder finds {name} in a template.
var placeholder = regexp.MustCompile(`\{([a-z]+)\}`)

// problem says what is wrong with a template, or "".
func (t Template) problem() string {
	switch {
	case strings.TrimSpace(t.Body) == "":
		return "needs a body"
	case len(t.Subject) > 200 || len(t.Body) > 1000:
		return "subject at most 200 characters, body at most 1000"
	}
	for _, m := range placeholder.FindAllStringSubmatch(t.Subject+t.Body, -1) {
		if !slices.Contains(placeholders, m[1]) {
			return fmt.Sprintf("{%s} is not one of {%s}", m[1], strings.Join(placeholders, "}, {"))
		}
	}
	return ""
}

// DefaultTemplates are the wording a clinic starts with.
var DefaultTemplates = map[Purpose]Template{
	PurposeReminder: {
		Subject: "Appointment reminder: {date} at {time}",
		Body:    "Dear {patient}, this is a reminder of your appointment with {doctor} at {clinic} on {date} at {time}. If you cannot come, please call us.",
	},
	PurposeConfirmation: {
		Subject: "Appointment booked: {date} at {time}",
		Body:    "Dear {patient}, your appointment with {doctor} at {clinic} is booked for {date} at {time}.",
	},
	PurposeCancellation: {
		Subject: "Appointment cancelled: {date} at {time}",
		Body:    "Dear {patient}, your appointment with {doctor} at {clinic} on {date} at {time} is cancelled. Please call us to book another.",
	},
	PurposeTelemedicine: {
		Subject: "Your video consultation: {date} at {time}",
		Body:    "Dear {patient}, your video consultation with {doctor} at {clinic} is on {date} at {time}. Join at {link}",
	},
}

// TemplateFor is the clinic's template for p, or the default.
func (n *NotifyConfig) TemplateFor(p Purpose) Template {
	if t, ok := n.Templates[p]; ok {
		return t
	}
	return DefaultTemplates[p]
}

// Render fills the template's placeholders from vars (by name, without
// braces); a name missing from vars becomes empty.
func (t Template) Render(vars map[string]string) (subject, body string) {
	fill := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			return vars[m[1:len(m)-1]]
		})
	}
	return fill(t.Subject), fill(t.Body)
}

// Reaches reports whether the clinic has a gateway for channel.
func (n *NotifyConfig) Reaches(ch Channel) bool {
	switch ch {
	case ChannelSMS:
		return n.SMSURL != ""
	case ChannelEmail:
		return n.SMTPAddr != ""
	}
	return false
}
