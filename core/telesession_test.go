package core

import (
	"errors"
	"testing"
	"time"
)

func validTelesession(tb testing.TB) *Telesession {
	tb.Helper()
	return &Telesession{
		Meta: sampleMeta(80), AppointmentID: sampleID(2), PatientID: sampleID(1), Doctor: "dr.lee",
		ScheduledAt: sampleAt, Minutes: 20, Status: TelesessionEnded, JoinURL: "https://meet.example.org/r/abc123",
		StartedAt: sampleAt.Add(time.Minute), EndedAt: sampleAt.Add(19 * time.Minute),
	}
}

func TestTelesessionValidate(t *testing.T) {
	assertValid(t, validTelesession(t))
	t.Run("scheduled, bare", func(t *testing.T) {
		s := validTelesession(t)
		s.Status, s.AppointmentID, s.JoinURL, s.StartedAt, s.EndedAt = TelesessionScheduled, "", "", time.Time{}, time.Time{}
		assertValid(t, s)
	})
	runInvalid(t, validTelesession, []invalidCase[*Telesession]{
		{"malformed appointment", func(s *Telesession) { s.AppointmentID = "a" }, []string{"appointment"}},
		{"no patient", func(s *Telesession) { s.PatientID = "" }, []string{"patient"}},
		{"no doctor", func(s *Telesession) { s.Doctor = "" }, []string{"doctor"}},
		{"no time", func(s *Telesession) { s.ScheduledAt = time.Time{} }, []string{"scheduled_at"}},
		{"too short", func(s *Telesession) { s.Minutes = 4 }, []string{"minutes"}},
		{"too long", func(s *Telesession) { s.Minutes = 241 }, []string{"minutes"}},
		{"bad status", func(s *Telesession) { s.Status = "paused" }, []string{"status"}},
		{"plain http", func(s *Telesession) { s.JoinURL = "http://meet.example.org/r/abc" }, []string{"join_url"}},
		{"not a URL", func(s *Telesession) { s.JoinURL = "meet at noon" }, []string{"join_url"}},
		{"live, never started", func(s *Telesession) { s.Status, s.StartedAt, s.EndedAt = TelesessionLive, time.Time{}, time.Time{} }, []string{"started_at"}},
		{"ended, no end", func(s *Telesession) { s.EndedAt = time.Time{} }, []string{"ended_at"}},
		{"ended before start", func(s *Telesession) { s.EndedAt = s.StartedAt.Add(-time.Second) }, []string{"ended_at"}},
	})
}

func TestTelesessionStatus(t *testing.T) {
	states := []TelesessionStatus{TelesessionScheduled, TelesessionLive, TelesessionEnded, TelesessionCancelled}
	assertMachine(t, TelesessionStatus.CheckTransition, states, map[[2]TelesessionStatus]bool{
		{TelesessionScheduled, TelesessionLive}:      true,
		{TelesessionLive, TelesessionEnded}:          true,
		{TelesessionScheduled, TelesessionCancelled}: true,
	})
	assertParse(t, ParseTelesessionStatus, states)
}

func TestCheckTelemedicineConsent(t *testing.T) {
	p := samplePatient(t)
	if err := CheckTelemedicineConsent(p); err != nil {
		t.Errorf("consenting patient refused: %v", err)
	}
	p.Consent.Telemedicine = false
	if err := CheckTelemedicineConsent(p); !errors.Is(err, ErrNoConsent) {
		t.Errorf("got %v, want ErrNoConsent", err)
	}
}
