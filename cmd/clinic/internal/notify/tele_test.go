package notify

import (
	"errors"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// Telemedicine was a core type nothing used. Booking a video session asks
// core for the patient's consent, makes a link from the clinic's provider
// and a random room, and sends it by SMS and e-mail; the session goes
// scheduled → live → ended with its duration, and a withdrawn consent
// refuses a booking and a start.
func TestTelemedicineSession(t *testing.T) {
	ws, patient := clinic(t, 1)
	w := ws[0]
	mailSrv, gw := startMail(t, nil, ""), startSMS(t)
	w.configure(mailSrv.addr, gw.url, "", store.NotifySecrets{SMSToken: "tok"})
	a := w.book(patient, 9, 30)
	if _, err := w.desk.BookTelesession(a.ID); !errors.Is(err, core.ErrNoConsent) {
		t.Fatalf("without telemedicine consent: %v, want ErrNoConsent", err)
	}
	_, err := w.desk.SetConsent(patient, map[core.ConsentType]bool{core.ConsentTelemedicine: true}, core.ConsentWritten)
	must(t, err)
	if _, err := w.desk.BookTelesession(a.ID); !errors.Is(err, store.ErrNotConfigured) {
		t.Fatalf("without a provider: %v", err)
	}
	cfg, err := w.desk.NotifyConfig()
	must(t, err)
	cfg.TeleURL = "https://meet.jit.si/"
	_, err = w.desk.SetNotifyConfig(cfg, store.NotifySecrets{})
	must(t, err)
	ts, err := w.desk.BookTelesession(a.ID)
	must(t, err)
	if !strings.HasPrefix(ts.JoinURL, "https://meet.jit.si/medisecure-") || len(ts.JoinURL) < len("https://meet.jit.si/medisecure-")+16 || ts.Status != core.TelesessionScheduled {
		t.Fatalf("session %+v", ts)
	}
	if _, err := w.desk.BookTelesession(a.ID); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("booked twice: %v", err)
	}
	if rep := w.run(Options{}); rep.Delivered != 4 {
		t.Fatalf("send-due: %+v, want the confirmation and the link, each by mail and SMS", rep)
	}
	sms, mails := 0, 0
	for _, r := range gw.requests() {
		if got := r.Form.Get("Body"); strings.Contains(got, ts.JoinURL) && strings.Contains(got, "video consultation with Dr Lee") {
			sms++
		}
	}
	for _, m := range mailSrv.mails() {
		if strings.Contains(strings.ReplaceAll(m.Data, "=\r\n", ""), ts.JoinURL) {
			mails++
		}
	}
	if sms != 1 || mails != 1 {
		t.Errorf("the link went out in %d SMS and %d mails, want 1 and 1", sms, mails)
	}

	w.clock.set(time.Date(2026, 12, 3, 9, 31, 0, 0, berlin))
	_, err = w.desk.SetConsent(patient, map[core.ConsentType]bool{core.ConsentTelemedicine: false}, core.ConsentVerbal)
	must(t, err)
	if _, err := w.desk.StartTelesession(ts.ID); !errors.Is(err, core.ErrNoConsent) {
		t.Fatalf("start after withdrawal: %v", err)
	}
	w.clock.set(time.Date(2026, 12, 3, 9, 32, 0, 0, berlin)) // a later decision, not one of the same instant
	_, err = w.desk.SetConsent(patient, map[core.ConsentType]bool{core.ConsentTelemedicine: true}, core.ConsentVerbal)
	must(t, err)
	live, err := w.desk.StartTelesession(ts.ID)
	must(t, err)
	if live.Status != core.TelesessionLive {
		t.Fatalf("started: %+v", live)
	}
	if _, err := w.desk.CancelTelesession(ts.ID); !errors.Is(err, core.ErrTransition) {
		t.Errorf("cancel a live session: %v", err)
	}
	w.clock.set(time.Date(2026, 12, 3, 9, 49, 30, 0, berlin))
	ended, err := w.desk.EndTelesession(ts.ID)
	must(t, err)
	if ended.Status != core.TelesessionEnded || ended.Duration() != 17*time.Minute+30*time.Second {
		t.Errorf("ended %s after %v", ended.Status, ended.Duration())
	}
	list, err := w.desk.Telesessions("2026-12-03", doctor)
	must(t, err)
	if len(list) != 1 || list[0].ID != ts.ID {
		t.Errorf("day list: %+v", list)
	}
}
