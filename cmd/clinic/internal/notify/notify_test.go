package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// Notifications were core types nothing used: no reminder, confirmation
// or cancellation ever reached a patient. A booking's confirmation goes
// out at once by e-mail and SMS; the reminder the evening before, at the
// clinic's hour, reaches a real SMTP server with the clinic's text and
// headers and the gateway in Twilio's format; nothing is sent twice.
func TestReminderReachesMailServerAndGateway(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	mailSrv, gw := startMail(t, nil, ""), startSMS(t)
	w.configure(mailSrv.addr, gw.url, "", store.NotifySecrets{SMSToken: "sms-secret-token"})
	w.book(patient, 9, 30)

	if rep := w.run(Options{}); rep.Delivered != 2 || rep.Queued != 0 {
		t.Fatalf("booking: %+v, want the confirmation by mail and SMS", rep)
	}
	if m := mailSrv.mails(); len(m) != 1 || !strings.Contains(m[0].Data, "Subject: Appointment booked: Thursday 3 December 2026 at 09:30") {
		t.Fatalf("confirmation mail: %+v", m)
	}
	w.clock.set(time.Date(2026, 12, 2, 17, 59, 0, 0, berlin))
	if rep := w.run(Options{}); rep != (Report{}) {
		t.Fatalf("before the reminder hour: %+v", rep)
	}
	w.clock.set(time.Date(2026, 12, 2, 18, 0, 0, 0, berlin))
	if rep := w.run(Options{}); rep.Queued != 2 || rep.Delivered != 2 {
		t.Fatalf("at the reminder hour: %+v", rep)
	}
	if rep := w.run(Options{}); rep != (Report{}) {
		t.Fatalf("a second pass: %+v, want nothing", rep)
	}

	mails := mailSrv.mails()
	if len(mails) != 2 {
		t.Fatalf("mail server got %d messages, want 2", len(mails))
	}
	r := mails[1]
	for _, want := range []string{
		"From: reception@lakeside.example\r\n", "To: ann@example.org\r\n",
		"Subject: Appointment reminder: Thursday 3 December 2026 at 09:30\r\n",
		"Content-Type: text/plain; charset=utf-8\r\n", "Message-ID: <",
		"Dear Ann Example, this is a reminder of your appointment with Dr Lee at Lakeside Clinic on Thursday 3 December 2026 at 09:30.",
	} {
		if !strings.Contains(strings.ReplaceAll(r.Data, "=\r\n", ""), want) {
			t.Errorf("reminder mail lacks %q:\n%s", want, r.Data)
		}
	}
	if r.From != "reception@lakeside.example" || r.To != "ann@example.org" {
		t.Errorf("envelope %s → %s", r.From, r.To)
	}
	reqs := gw.requests()
	if len(reqs) != 2 {
		t.Fatalf("gateway got %d requests, want 2", len(reqs))
	}
	q := reqs[1]
	if q.Path != "POST /2010-04-01/Accounts/AC0123456789/Messages.json" || q.User != "AC0123456789" || q.Pass != "sms-secret-token" {
		t.Errorf("gateway request %s as %s:%s", q.Path, q.User, q.Pass)
	}
	if q.Form.Get("To") != "+15551234567" || q.Form.Get("From") != "+15550009999" || !strings.HasPrefix(q.Form.Get("Body"), "Dear Ann Example, this is a reminder") {
		t.Errorf("gateway form %v", q.Form)
	}

	views, err := w.desk.PatientNotifications()
	must(t, err)
	if len(views) != 4 {
		t.Fatalf("%d notifications, want 4", len(views))
	}
	for _, v := range views {
		if v.Status != core.NotificationDelivered || len(v.Deliveries) != 2 || v.Deliveries[0].Step != core.DeliveryStarted || v.Deliveries[1].Step != core.DeliveryDelivered {
			t.Errorf("%s %s: %s with %+v", v.Purpose, v.Channel, v.Status, v.Deliveries)
		}
	}
}

// The mail server offers STARTTLS and requires AUTH: the workstation
// upgrades before logging in, and a wrong password fails for good instead
// of being retried.
func TestMailSTARTTLSAndAuth(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	srvTLS, cliTLS := selfSigned(t)
	mailSrv := startMail(t, srvTLS, "mail-secret")
	w.configure(mailSrv.addr, "", "clinic", store.NotifySecrets{SMTPPassword: "wrong"})
	w.book(patient, 10, 0)
	if rep := w.run(Options{MailTLS: cliTLS}); rep.Failed != 1 {
		t.Fatalf("wrong password: %+v, want failed for good", rep)
	}
	w.configure(mailSrv.addr, "", "clinic", store.NotifySecrets{SMTPPassword: "mail-secret"})
	w.book(patient, 11, 0)
	if rep := w.run(Options{MailTLS: cliTLS}); rep.Delivered != 1 {
		t.Fatalf("right password: %+v", rep)
	}
	m := mailSrv.mails()
	if len(m) != 1 || !m[0].TLS || m[0].User != "clinic" || !strings.Contains(m[0].Data, "at 11:00") {
		t.Fatalf("mails: %+v", m)
	}
	views, err := w.desk.PatientNotifications()
	must(t, err)
	failed := 0
	for _, v := range views {
		if v.Status == core.NotificationFailed {
			failed++
			if !strings.Contains(v.LastError, "AUTH refused") {
				t.Errorf("failed with %q", v.LastError)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d failed, want 1", failed)
	}
}

// Withdrawing consent stops what is queued: recorded by the desk, or
// ticked off on the patient's record, nothing goes out, and the queued
// notices say why.
func TestConsentWithdrawnSendsNothing(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	mailSrv, gw := startMail(t, nil, ""), startSMS(t)
	w.configure(mailSrv.addr, gw.url, "", store.NotifySecrets{SMSToken: "tok"})
	w.book(patient, 9, 30)
	_, err := w.desk.SetConsent(patient, map[core.ConsentType]bool{core.ConsentSMS: false}, core.ConsentVerbal)
	must(t, err)
	p, err := w.desk.Patient(patient, "test")
	must(t, err)
	p.Consent.Email = false
	_, err = w.desk.UpdatePatient(p)
	must(t, err)
	if rep := w.run(Options{}); rep.Delivered != 0 || rep.Cancelled != 1 {
		t.Fatalf("after withdrawal: %+v, want the e-mail cancelled at sending", rep)
	}
	w.clock.set(time.Date(2026, 12, 2, 19, 0, 0, 0, berlin))
	if rep := w.run(Options{}); rep != (Report{}) {
		t.Fatalf("reminder time: %+v, want nothing queued", rep)
	}
	if len(mailSrv.mails()) != 0 || len(gw.requests()) != 0 {
		t.Fatalf("sent %d mails, %d SMS without consent", len(mailSrv.mails()), len(gw.requests()))
	}
	views, err := w.desk.PatientNotifications()
	must(t, err)
	for _, v := range views {
		if v.Status != core.NotificationCancelled || !strings.Contains(v.LastError, "not sent") {
			t.Errorf("%s: %s %q", v.Channel, v.Status, v.LastError)
		}
	}
}

// A gateway that fails is tried again after a wait that doubles, and once
// it recovers the patient gets the message once; every attempt is on
// record.
func TestGatewayFailsThenRecovers(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	gw := startSMS(t)
	gw.fail = 2
	w.configure("", gw.url, "", store.NotifySecrets{SMSToken: "tok"})
	w.book(patient, 9, 30)
	start := w.clock.now()
	if rep := w.run(Options{}); rep.Retrying != 1 {
		t.Fatalf("first try: %+v", rep)
	}
	if rep := w.run(Options{}); rep != (Report{}) {
		t.Fatalf("during the wait: %+v", rep)
	}
	w.clock.set(start.Add(time.Minute))
	if rep := w.run(Options{}); rep.Retrying != 1 {
		t.Fatalf("second try: %+v", rep)
	}
	w.clock.set(start.Add(2 * time.Minute))
	if rep := w.run(Options{}); rep != (Report{}) {
		t.Fatalf("the wait doubled: %+v", rep)
	}
	w.clock.set(start.Add(3 * time.Minute))
	if rep := w.run(Options{}); rep.Delivered != 1 {
		t.Fatalf("recovered: %+v", rep)
	}
	w.clock.set(start.Add(time.Hour))
	w.run(Options{})
	if n := len(gw.requests()); n != 3 {
		t.Fatalf("gateway got %d requests, want 3 (two failed, one delivered)", n)
	}
	views, err := w.desk.PatientNotifications()
	must(t, err)
	var steps []string
	for _, d := range views[0].Deliveries {
		steps = append(steps, string(d.Step))
	}
	if got := strings.Join(steps, " "); got != "started retry started retry started delivered" || views[0].Attempts != 3 {
		t.Errorf("attempts %d, steps %s", views[0].Attempts, got)
	}
}

// Two workstations online at once, both running send-due: only the
// sending device named in the synced setup sends, so the patient gets one
// message; when the sending moves to the other workstation, what was
// delivered is not sent again.
func TestTwoWorkstationsSendOnce(t *testing.T) {
	ws, patient := clinic(t, 2)
	a, b := ws[0], ws[1]
	addr := syncServer(t)
	mailSrv := startMail(t, nil, "")
	a.configure(mailSrv.addr, "", "", store.NotifySecrets{})
	a.sync(addr)
	b.sync(addr)
	b.book(patient, 9, 30) // queued on b, which does not send
	b.sync(addr)
	a.sync(addr)

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Run(context.Background(), w.desk, Options{})
		}()
	}
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], store.ErrNotSender) {
		t.Fatalf("send-due: sender %v, other %v", errs[0], errs[1])
	}
	if n := len(mailSrv.mails()); n != 1 {
		t.Fatalf("mail server got %d messages, want 1", n)
	}

	a.sync(addr)
	b.sync(addr)
	b.configure(mailSrv.addr, "", "", store.NotifySecrets{})
	b.sync(addr)
	a.sync(addr)
	for _, w := range ws {
		w.clock.set(time.Date(2026, 12, 2, 18, 30, 0, 0, berlin))
	}
	if _, err := Run(context.Background(), a.desk, Options{}); !errors.Is(err, store.ErrNotSender) {
		t.Fatalf("the old sender: %v, want ErrNotSender", err)
	}
	if rep := b.run(Options{}); rep.Queued != 1 || rep.Delivered != 1 {
		t.Fatalf("the new sender: %+v, want only the reminder", rep)
	}
	if n := len(mailSrv.mails()); n != 2 {
		t.Fatalf("mail server got %d messages, want 2 (confirmation, reminder)", n)
	}
}
