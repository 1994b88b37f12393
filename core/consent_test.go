package core

import (
	"testing"
	"time"
)

func validConsent(tb testing.TB) *Consent {
	tb.Helper()
	return &Consent{
		Meta: sampleMeta(110), PatientID: sampleID(1), Type: ConsentSMS, Granted: true,
		RecordedBy: "reception1", RecordedAt: sampleAt, Expires: "2026-03-14", Document: sampleID(40),
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
