package core

import (
	"strings"
	"testing"
	"time"
)

func validNotifyConfig(tb testing.TB) *NotifyConfig {
	tb.Helper()
	return &NotifyConfig{
		Meta: sampleMeta(80), SMTPAddr: "mail.example.org:587", From: "clinic@example.org", SMTPUser: "clinic",
		SMSURL: "https://api.twilio.com", SMSAccount: "AC123", SMSFrom: "+15550001111", ReminderHour: 10,
		Sender: "dev-1", TeleURL: "https://meet.jit.si/",
		Templates: map[Purpose]Template{PurposeReminder: {Subject: "See you {date}", Body: "Hello {patient}, {time} with {doctor}."}},
	}
}

func TestNotifyConfigValidate(t *testing.T) {
	assertValid(t, validNotifyConfig(t))
	t.Run("loopback http gateway", func(t *testing.T) {
		n := validNotifyConfig(t)
		n.SMSURL = "http://127.0.0.1:8080"
		assertValid(t, n)
	})
	runInvalid(t, validNotifyConfig, []invalidCase[*NotifyConfig]{
		{"smtp without port", func(n *NotifyConfig) { n.SMTPAddr = "mail.example.org" }, []string{"smtp"}},
		{"bad from", func(n *NotifyConfig) { n.From = "clinic" }, []string{"from"}},
		{"named from", func(n *NotifyConfig) { n.From = "Clinic <c@example.org>" }, []string{"from"}},
		{"plain http gateway", func(n *NotifyConfig) { n.SMSURL = "http://sms.example.org" }, []string{"sms_url"}},
		{"gateway with query", func(n *NotifyConfig) { n.SMSURL = "https://sms.example.org/?x=1" }, []string{"sms_url"}},
		{"bad account", func(n *NotifyConfig) { n.SMSAccount = "AC/../x" }, []string{"sms_account"}},
		{"bad from number", func(n *NotifyConfig) { n.SMSFrom = "clinic" }, []string{"sms_from"}},
		{"late hour", func(n *NotifyConfig) { n.ReminderHour = 24 }, []string{"reminder_hour"}},
		{"no sender", func(n *NotifyConfig) { n.Sender = "" }, []string{"sender"}},
		{"http video", func(n *NotifyConfig) { n.TeleURL = "http://meet.example.org/" }, []string{"tele_url"}},
		{"unknown placeholder", func(n *NotifyConfig) { n.Templates[PurposeReminder] = Template{Body: "{secret}"} }, []string{"templates.reminder"}},
		{"empty template", func(n *NotifyConfig) { n.Templates[PurposeReminder] = Template{Subject: "s"} }, []string{"templates.reminder"}},
		{"unknown purpose", func(n *NotifyConfig) { n.Templates["spam"] = Template{Body: "b"} }, []string{"templates"}},
		{"escape in template", func(n *NotifyConfig) { n.Templates[PurposeReminder] = Template{Body: "a\x1b[2Jb"} }, []string{"templates.reminder.body"}},
	})
}

func TestTemplateRender(t *testing.T) {
	cfg := validNotifyConfig(t)
	vars := map[string]string{"patient": "Ann Lee", "date": "Thu 3 Dec", "time": "09:30", "doctor": "dr.okafor"}
	subject, body := cfg.TemplateFor(PurposeReminder).Render(vars)
	if subject != "See you Thu 3 Dec" || body != "Hello Ann Lee, 09:30 with dr.okafor." {
		t.Errorf("the clinic's template: %q, %q", subject, body)
	}
	_, body = cfg.TemplateFor(PurposeCancellation).Render(vars)
	if !strings.Contains(body, "on Thu 3 Dec at 09:30 is cancelled") {
		t.Errorf("the default template: %q", body)
	}
	for _, p := range PatientPurposes {
		if msg := DefaultTemplates[p].problem(); msg != "" {
			t.Errorf("default template %s: %s", p, msg)
		}
	}
}

func TestRetryDelayAndReminderDue(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 7: time.Hour, 50: time.Hour} {
		if got := RetryDelay(attempts); got != want {
			t.Errorf("RetryDelay(%d) = %v, want %v", attempts, got, want)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 3, 8, 30, 0, 0, time.UTC) // 09:30 in Berlin
	if got, want := ReminderDue(start, 18, berlin), time.Date(2026, 12, 2, 18, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("ReminderDue = %v, want %v", got, want)
	}
}

func TestNotificationIDIsStable(t *testing.T) {
	a, b := NotificationID("appt", "reminder", "sms"), NotificationID("appt", "reminder", "sms")
	if a != b || a == NotificationID("appt", "reminder", "email") || a == NotificationID("appt", "remindersms") {
		t.Errorf("ids: %s %s", a, b)
	}
	if _, err := ParseID(string(a)); err != nil {
		t.Error(err)
	}
}

func validDelivery(tb testing.TB) *Delivery {
	tb.Helper()
	return &Delivery{Meta: sampleMeta(81), NotificationID: sampleID(70), Attempt: 1, Step: DeliveryStarted, Device: "dev-1", At: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
}

func TestDeliveryValidate(t *testing.T) {
	assertValid(t, validDelivery(t))
	runInvalid(t, validDelivery, []invalidCase[*Delivery]{
		{"no notification", func(d *Delivery) { d.NotificationID = "" }, []string{"notification"}},
		{"attempt zero", func(d *Delivery) { d.Attempt = 0 }, []string{"attempt"}},
		{"bad step", func(d *Delivery) { d.Step = "lost" }, []string{"step"}},
		{"no device", func(d *Delivery) { d.Device = "" }, []string{"device"}},
		{"no time", func(d *Delivery) { d.At = time.Time{} }, []string{"at"}},
	})
}
