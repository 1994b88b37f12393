package store

import (
	"errors"
	"testing"
	"time"

	"medisecure/core"
)

// Consent was three checkboxes at registration that nothing checked. Now
// each decision is a record with who, when and how; a withdrawal stops
// contact at once; the history keeps every decision; and a role that may
// not change consent is refused.
func TestConsentHistoryAndCheck(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ann Smith", "1990-01-02", "+44 20 7946 0000")
	if err := f.desk.CheckContact(p.ID, core.ChannelSMS); !errors.Is(err, core.ErrNoConsent) {
		t.Errorf("SMS before any consent: %v", err)
	}
	_, err := f.desk.SetConsent(p.ID, map[core.ConsentType]bool{core.ConsentSMS: true, core.ConsentTelemedicine: true}, core.ConsentWritten)
	must(t, err)
	must(t, f.desk.CheckContact(p.ID, core.ChannelSMS))
	if err := f.desk.CheckContact(p.ID, core.ChannelEmail); !errors.Is(err, core.ErrNoConsent) {
		t.Errorf("e-mail without consent or address: %v", err)
	}
	f.clock.t = f.clock.t.Add(time.Hour)
	_, err = f.doctor.SetConsent(p.ID, map[core.ConsentType]bool{core.ConsentSMS: false}, core.ConsentVerbal)
	must(t, err)
	if err := f.desk.CheckContact(p.ID, core.ChannelSMS); !errors.Is(err, core.ErrNoConsent) {
		t.Errorf("SMS after a withdrawal: %v", err)
	}
	v, err := f.desk.Consents(p.ID, "test")
	must(t, err)
	if v.Current.SMS || !v.Current.Telemedicine || v.Patient.Consent.SMS {
		t.Errorf("current consent %+v, patient flags %+v", v.Current, v.Patient.Consent)
	}
	if len(v.History) != 3 {
		t.Fatalf("history has %d records, want 3: %+v", len(v.History), v.History)
	}
	last := v.History[2]
	if last.Type != core.ConsentSMS || last.Granted || last.RecordedBy != "drwho" || last.Method != core.ConsentVerbal || !last.RecordedAt.Equal(f.clock.t) {
		t.Errorf("the withdrawal reads %+v", last)
	}
	if _, err := f.admin.SetConsent(p.ID, map[core.ConsentType]bool{core.ConsentSMS: true}, core.ConsentVerbal); !errors.Is(err, core.ErrDenied) {
		t.Errorf("an admin recorded consent: %v", err)
	}
	if _, err := f.desk.SetConsent(p.ID, map[core.ConsentType]bool{core.ConsentSMS: true}, "telepathy"); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("consent given by telepathy: %v", err)
	}
	if v, _ := f.desk.Consents(p.ID, "test"); len(v.History) != 3 {
		t.Errorf("refused decisions were kept: %d records", len(v.History))
	}
}
