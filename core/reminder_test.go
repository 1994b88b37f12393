package core

import (
	"strings"
	"testing"
	"time"
)

func validReminder(tb testing.TB) *Reminder {
	tb.Helper()
	return &Reminder{
		Meta: sampleMeta(60), PatientID: sampleID(1), PrescriptionID: sampleID(10), Drug: "amoxicillin 500 mg",
		Times: []string{"08:00", "14:00", "21:30"}, StartDate: "2025-03-14", EndDate: "2025-03-21",
		Channel: ChannelSMS, Active: true,
	}
}

func validAdherence(tb testing.TB) *Adherence {
	tb.Helper()
	return &Adherence{
		Meta: sampleMeta(61), ReminderID: sampleID(60), PatientID: sampleID(1), Due: sampleAt,
		Taken: true, RecordedAt: sampleAt.Add(2 * time.Hour), RecordedBy: "nurse.kim", Note: "by phone",
	}
}

func TestValidClockTime(t *testing.T) {
	for s, want := range map[string]bool{
		"00:00": true, "08:00": true, "23:59": true, "12:30": true,
		"24:00": false, "8:00": false, "08:60": false, "0800": false, "08:0a": false, "": false, "08:00 ": false, "-1:00": false,
	} {
		if got := ValidClockTime(s); got != want {
			t.Errorf("ValidClockTime(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestReminderValidate(t *testing.T) {
	assertValid(t, validReminder(t))
	t.Run("open-ended, no prescription", func(t *testing.T) {
		r := validReminder(t)
		r.EndDate, r.PrescriptionID = "", ""
		assertValid(t, r)
	})
	runInvalid(t, validReminder, []invalidCase[*Reminder]{
		{"no patient", func(r *Reminder) { r.PatientID = "" }, []string{"patient"}},
		{"malformed prescription", func(r *Reminder) { r.PrescriptionID = "rx" }, []string{"prescription"}},
		{"no drug", func(r *Reminder) { r.Drug = "" }, []string{"drug"}},
		{"long drug", func(r *Reminder) { r.Drug = strings.Repeat("x", 201) }, []string{"drug"}},
		{"no times", func(r *Reminder) { r.Times = nil }, []string{"times"}},
		{"too many times", func(r *Reminder) {
			r.Times = nil
			for h := 0; h <= maxReminderTimes; h++ {
				r.Times = append(r.Times, time.Date(2000, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04"))
			}
		}, []string{"times"}},
		{"bad time", func(r *Reminder) { r.Times[1] = "2pm" }, []string{"times[1]"}},
		{"repeated time", func(r *Reminder) { r.Times[2] = "08:00" }, []string{"times[2]"}},
		{"no start", func(r *Reminder) { r.StartDate = "" }, []string{"start_date"}},
		{"end before start", func(r *Reminder) { r.EndDate = "2025-03-01" }, []string{"end_date"}},
		{"bad end", func(r *Reminder) { r.EndDate = "soon" }, []string{"end_date"}},
		{"bad channel", func(r *Reminder) { r.Channel = "pager" }, []string{"channel"}},
	})
}

func TestAdherenceValidate(t *testing.T) {
	assertValid(t, validAdherence(t))
	runInvalid(t, validAdherence, []invalidCase[*Adherence]{
		{"no reminder", func(a *Adherence) { a.ReminderID = "" }, []string{"reminder"}},
		{"malformed reminder", func(a *Adherence) { a.ReminderID = "r1" }, []string{"reminder"}},
		{"no patient", func(a *Adherence) { a.PatientID = "" }, []string{"patient"}},
		{"no due time", func(a *Adherence) { a.Due = time.Time{} }, []string{"due"}},
		{"no record time", func(a *Adherence) { a.RecordedAt = time.Time{} }, []string{"recorded_at"}},
		{"no recorder", func(a *Adherence) { a.RecordedBy = "" }, []string{"recorded_by"}},
		{"long note", func(a *Adherence) { a.Note = strings.Repeat("x", 501) }, []string{"note"}},
	})
}
