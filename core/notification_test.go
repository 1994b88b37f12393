package core

import (
	"errors"
	"strings"
	"testing"
)

func validNotification(tb testing.TB) *Notification {
	tb.Helper()
	return &Notification{
		Meta: sampleMeta(70), PatientID: sampleID(1), Channel: ChannelSMS, Subject: "Appointment",
		Body: "Your appointment is tomorrow at 09:30.", Status: NotificationFailed, Attempts: 2, LastError: "gateway timeout",
	}
}

func TestNotificationValidate(t *testing.T) {
	assertValid(t, validNotification(t))
	t.Run("in-app to staff", func(t *testing.T) {
		n := validNotification(t)
		n.PatientID, n.Recipient, n.Channel, n.Status, n.LastError = "", "dr.lee", ChannelInApp, NotificationPending, ""
		assertValid(t, n)
	})
	runInvalid(t, validNotification, []invalidCase[*Notification]{
		{"nobody", func(n *Notification) { n.PatientID = "" }, []string{"recipient", "patient"}},
		{"malformed patient", func(n *Notification) { n.PatientID = "p" }, []string{"patient"}},
		{"bad recipient", func(n *Notification) { n.Recipient = "Dr Lee" }, []string{"recipient"}},
		{"e-mail to staff only", func(n *Notification) { n.PatientID, n.Recipient, n.Channel = "", "dr.lee", ChannelEmail }, []string{"patient"}},
		{"bad channel", func(n *Notification) { n.Channel = "fax" }, []string{"channel"}},
		{"bad purpose", func(n *Notification) { n.Purpose = "spam" }, []string{"purpose"}},
		{"bad appointment", func(n *Notification) { n.AppointmentID = "a" }, []string{"appointment"}},
		{"long subject", func(n *Notification) { n.Subject = strings.Repeat("x", 201) }, []string{"subject"}},
		{"no body", func(n *Notification) { n.Body = "" }, []string{"body"}},
		{"long body", func(n *Notification) { n.Body = strings.Repeat("x", 4001) }, []string{"body"}},
		{"bad status", func(n *Notification) { n.Status = "lost" }, []string{"status"}},
		{"negative attempts", func(n *Notification) { n.Attempts = -1 }, []string{"attempts"}},
		{"endless attempts", func(n *Notification) { n.Attempts = maxAttempts + 1 }, []string{"attempts"}},
		{"failed without error", func(n *Notification) { n.LastError = "" }, []string{"last_error"}},
		{"long error", func(n *Notification) { n.LastError = strings.Repeat("x", 501) }, []string{"last_error"}},
	})
}

func TestNotificationStatus(t *testing.T) {
	states := []NotificationStatus{NotificationPending, NotificationSent, NotificationDelivered, NotificationFailed, NotificationCancelled}
	assertMachine(t, NotificationStatus.CheckTransition, states, map[[2]NotificationStatus]bool{
		{NotificationPending, NotificationSent}:      true,
		{NotificationSent, NotificationDelivered}:    true,
		{NotificationSent, NotificationPending}:      true,
		{NotificationSent, NotificationFailed}:       true,
		{NotificationPending, NotificationFailed}:    true,
		{NotificationFailed, NotificationPending}:    true,
		{NotificationPending, NotificationCancelled}: true,
		{NotificationFailed, NotificationCancelled}:  true,
	})
	assertParse(t, ParseNotificationStatus, states)
}

func TestCheckConsent(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Patient)
		channel Channel
		want    error
	}{
		{"in-app always", func(p *Patient) { p.Consent = ConsentFlags{}; p.Phone, p.Email = "", "" }, ChannelInApp, nil},
		{"sms agreed", func(*Patient) {}, ChannelSMS, nil},
		{"sms declined", func(p *Patient) { p.Consent.SMS = false }, ChannelSMS, ErrNoConsent},
		{"sms without phone", func(p *Patient) { p.Phone = "" }, ChannelSMS, ErrNoConsent},
		{"email agreed", func(*Patient) {}, ChannelEmail, nil},
		{"email declined", func(p *Patient) { p.Consent.Email = false }, ChannelEmail, ErrNoConsent},
		{"email without address", func(p *Patient) { p.Email = "" }, ChannelEmail, ErrNoConsent},
		{"unknown channel", func(*Patient) {}, "fax", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := samplePatient(t)
			tc.change(p)
			err := CheckConsent(p, tc.channel)
			if tc.want == nil {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
