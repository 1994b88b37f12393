package core

import (
	"errors"
	"testing"
	"time"
)

func validConsent(tb testing.TB) *Consent {
	tb.Helper()
	return &Consent{
		Meta: sampleMeta(110), PatientID: sampleID(1), Type: ConsentSMS, Granted: true,
		RecordedBy: "reception1", RecordedAt: sampleAt, Method: ConsentWritten, Expires: "2026-03-14", Document: sampleID(40),
	}
}

func TestConsentValidate(t *testing.T) {
	assertValid(t, validConsent(t))
	for _, ty := range ConsentTypes {
		t.Run(string(ty), func(t *testing.T) {
			c := validConsent(t)
			c.Type, c.Expires, c.Document = ty, "", ""
			assertValid(t, c)
		})
	}
	runInvalid(t, validConsent, []invalidCase[*Consent]{
		{"no patient", func(c *Consent) { c.PatientID = "" }, []string{"patient"}},
		{"malformed patient", func(c *Consent) { c.PatientID = "p" }, []string{"patient"}},
		{"no type", func(c *Consent) { c.Type = "" }, []string{"type"}},
		{"bad type", func(c *Consent) { c.Type = "marketing" }, []string{"type"}},
		{"no recorder", func(c *Consent) { c.RecordedBy = "" }, []string{"recorded_by"}},
		{"no time", func(c *Consent) { c.RecordedAt = time.Time{} }, []string{"recorded_at"}},
		{"no method", func(c *Consent) { c.Method = "" }, []string{"method"}},
		{"bad method", func(c *Consent) { c.Method = "telepathy" }, []string{"method"}},
		{"bad expiry", func(c *Consent) { c.Expires = "next year" }, []string{"expires"}},
		{"malformed document", func(c *Consent) { c.Document = "scan.pdf" }, []string{"document"}},
	})
}

func TestApplyConsent(t *testing.T) {
	tests := []struct {
		ty      ConsentType
		granted bool
		want    ConsentFlags
	}{
		{ConsentSMS, true, ConsentFlags{SMS: true}},
		{ConsentEmail, true, ConsentFlags{Email: true}},
		{ConsentTelemedicine, true, ConsentFlags{Telemedicine: true}},
		{ConsentDataSharing, true, ConsentFlags{DataSharing: true}},
		{ConsentTreatment, true, ConsentFlags{}},
		{ConsentResearch, true, ConsentFlags{}},
	}
	for _, tc := range tests {
		t.Run(string(tc.ty), func(t *testing.T) {
			p := &Patient{}
			ApplyConsent(p, &Consent{Type: tc.ty, Granted: tc.granted})
			if p.Consent != tc.want {
				t.Errorf("granting gave %+v, want %+v", p.Consent, tc.want)
			}
			all := ConsentFlags{SMS: true, Email: true, Telemedicine: true, DataSharing: true}
			p.Consent = all
			ApplyConsent(p, &Consent{Type: tc.ty, Granted: false})
			wantAfter := ConsentFlags{
				SMS: !tc.want.SMS, Email: !tc.want.Email, Telemedicine: !tc.want.Telemedicine, DataSharing: !tc.want.DataSharing,
			}
			if p.Consent != wantAfter {
				t.Errorf("withdrawing gave %+v, want %+v", p.Consent, wantAfter)
			}
		})
	}
	t.Run("feeds the consent checks", func(t *testing.T) {
		p := samplePatient(t)
		ApplyConsent(p, &Consent{Type: ConsentTelemedicine, Granted: false})
		if err := CheckTelemedicineConsent(p); err == nil {
			t.Error("withdrawn telemedicine consent still allowed")
		}
		ApplyConsent(p, &Consent{Type: ConsentSMS, Granted: false})
		if err := CheckConsent(p, ChannelSMS); err == nil {
			t.Error("withdrawn SMS consent still allowed")
		}
	})
}

// Consent was three checkboxes nothing checked against a history: a
// recorded withdrawal now stops contact even while the registration flag
// still says yes, the latest decision wins whatever order records arrive
// in, and an expired grant no longer counts.
func TestCheckContact(t *testing.T) {
	p := *samplePatient(t)
	p.Consent = ConsentFlags{SMS: true, Email: true, Telemedicine: true}
	at := func(min int) time.Time { return sampleAt.Add(time.Duration(min) * time.Minute) }
	rec := func(ty ConsentType, granted bool, min int, expires Date) Consent {
		return Consent{Meta: sampleMeta(200 + min), PatientID: p.ID, Type: ty, Granted: granted, RecordedAt: at(min), Method: ConsentVerbal, Expires: expires}
	}
	today := Date("2025-03-14")
	tests := []struct {
		name    string
		flags   ConsentFlags
		history []Consent
		channel Channel
		allowed bool
	}{
		{"flag only", p.Consent, nil, ChannelSMS, true},
		{"withdrawn after the flag", p.Consent, []Consent{rec(ConsentSMS, true, 1, ""), rec(ConsentSMS, false, 2, "")}, ChannelSMS, false},
		{"withdrawn, listed last first", p.Consent, []Consent{rec(ConsentSMS, false, 2, ""), rec(ConsentSMS, true, 1, "")}, ChannelSMS, false},
		{"granted again", p.Consent, []Consent{rec(ConsentEmail, false, 1, ""), rec(ConsentEmail, true, 2, "")}, ChannelEmail, true},
		{"granted but flag off", ConsentFlags{}, []Consent{rec(ConsentEmail, true, 2, "")}, ChannelEmail, false},
		{"expired", p.Consent, []Consent{rec(ConsentSMS, true, 1, "2025-03-13")}, ChannelSMS, false},
		{"expires today", p.Consent, []Consent{rec(ConsentSMS, true, 1, "2025-03-14")}, ChannelSMS, true},
		{"other channel withdrawn", p.Consent, []Consent{rec(ConsentEmail, false, 1, "")}, ChannelSMS, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := p
			q.Consent = tc.flags
			err := CheckContact(q, tc.history, today, tc.channel)
			if tc.allowed != (err == nil) || (err != nil && !errors.Is(err, ErrNoConsent)) {
				t.Errorf("CheckContact = %v, want allowed %v", err, tc.allowed)
			}
		})
	}
	if err := CheckTelemedicine(p, []Consent{rec(ConsentTelemedicine, false, 1, "")}, today); !errors.Is(err, ErrNoConsent) {
		t.Errorf("telemedicine after a withdrawal: %v", err)
	}
	if err := CheckTelemedicine(p, nil, today); err != nil {
		t.Errorf("telemedicine with consent: %v", err)
	}
}
