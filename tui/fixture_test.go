package tui

import (
	"fmt"
	"time"

	"medisecure/core"
)

// clinicZone is the fake clinic's zone: fixed, so tests need no tz data.
var clinicZone = time.FixedZone("CET", 3600)

// at is a time on the fake clinic's clock, in March 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, clinicZone)
}

// workweek is hours on Monday to Friday.
func workweek(days []time.Weekday, spans ...core.Span) [7][]core.Span {
	var h [7][]core.Span
	for _, d := range days {
		h[d] = spans
	}
	return h
}

var monFri = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// newFakeBackend is a small clinic on Tuesday 10 March 2026 at 09:12:
// three doctors, patients with non-ASCII names, a morning under way with
// two patients waiting, and one double booking from two offline desks.
func newFakeBackend() *fakeBackend {
	b := &fakeBackend{
		clock: &fakeClock{t: at(10, 9, 12)},
		zone:  clinicZone,
		users: map[string]*fakeUser{
			"ana":       {pass: "demo", role: core.RoleReception},
			"okafor":    {pass: "demo", role: core.RoleDoctor},
			"lindqvist": {pass: "demo", role: core.RoleDoctor},
			"admin":     {pass: "demo", role: core.RoleAdmin},
		},
		doctors: []core.User{
			{Name: "lindqvist", DisplayName: "Dr Sören Lindqvist", Role: core.RoleDoctor},
			{Name: "okafor", DisplayName: "Dr Amara Okafor", Role: core.RoleDoctor},
			{Name: "tanaka", DisplayName: "Dr Yuki Tanaka", Role: core.RoleDoctor},
		},
		scheds: map[string]core.Schedule{
			"lindqvist": {Doctor: "lindqvist", SlotMinutes: 20, Rooms: []string{"2"},
				Hours: workweek(monFri[:4], core.Span{Start: 9 * 60, End: 13 * 60})},
			"okafor": {Doctor: "okafor", SlotMinutes: 15, Rooms: []string{"1"},
				Hours: workweek(monFri, core.Span{Start: 8 * 60, End: 12 * 60}, core.Span{Start: 13 * 60, End: 17 * 60})},
			"tanaka": {Doctor: "tanaka", SlotMinutes: 30, Rooms: []string{"3"},
				Hours: workweek([]time.Weekday{time.Tuesday, time.Thursday}, core.Span{Start: 8 * 60, End: 16 * 60})},
		},
		status: SyncStatus{Online: false, Pending: 3, LastAck: 41, LastPull: at(10, 8, 55)},
		next:   100,
	}
	b.addPatients()
	b.addAppointments()
	b.notes = []core.Note{{
		Meta:      core.Meta{ID: fakeID(300), CreatedAt: at(2, 10, 5).UTC(), CreatedBy: "okafor"},
		PatientID: fakeID(1), Author: "okafor",
		Subjective: "Cough for two weeks, no fever.", Assessment: "Post-viral cough.",
		Plan: "Honey and rest; come back if it is worse in two weeks.",
	}}
	return b
}

func (b *fakeBackend) addPatients() {
	for i, p := range []core.Patient{
		{Name: "Zoë Ärzteweg", DOB: "1990-05-14", Sex: "female", Phone: "+49 30 1234567", Email: "zoe@example.org",
			Consent: core.ConsentFlags{SMS: true, Email: true}},
		{Name: "José Núñez", DOB: "1982-11-02", Sex: "male", Phone: "+34 612 345 678"},
		{Name: "王小明", DOB: "1975-07-21", Sex: "male", Phone: "+86 138 0013 8000"},
		{Name: "Anna Schmidt", DOB: "1975-02-01", Sex: "female", Phone: "+49 89 7654321"},
		{Name: "Łukasz Wójcik", DOB: "2001-09-30", Sex: "male", Phone: "+48 501 234 567"},
		{Name: "Mary O'Brien", DOB: "1968-12-24", Sex: "female", Phone: "+353 1 555 0199"},
		{Name: "Anna Schmid", DOB: "1999-03-03", Sex: "female"},
	} {
		p.ID, p.CreatedAt, p.CreatedBy = fakeID(i+1), at(1, 8, 0).UTC(), "ana"
		b.patients = append(b.patients, p)
	}
}

func (b *fakeBackend) addAppointments() {
	type row struct {
		id, patient int
		doctor      string
		start       time.Time
		mins        int
		status      core.AppointmentStatus
		checkedIn   time.Time
		by          string
	}
	rooms := map[string]string{"okafor": "1", "lindqvist": "2", "tanaka": "3"}
	for _, r := range []row{
		{201, 1, "okafor", at(10, 8, 30), 15, core.ApptCompleted, time.Time{}, "ana"},
		{202, 2, "okafor", at(10, 9, 0), 15, core.ApptCheckedIn, at(10, 8, 52), "ana"},
		{203, 4, "okafor", at(10, 9, 15), 15, core.ApptBooked, time.Time{}, "ana"},
		{204, 6, "okafor", at(10, 10, 0), 15, core.ApptBooked, time.Time{}, "ana"},
		{205, 5, "okafor", at(10, 11, 0), 15, core.ApptBooked, time.Time{}, "ana"},
		{206, 3, "lindqvist", at(10, 9, 0), 20, core.ApptCheckedIn, at(10, 9, 5), "ana"},
		{207, 7, "lindqvist", at(10, 9, 40), 20, core.ApptBooked, time.Time{}, "ana"},
		{208, 4, "lindqvist", at(10, 11, 0), 20, core.ApptBooked, time.Time{}, "ana"},
		{209, 2, "lindqvist", at(10, 11, 0), 20, core.ApptBooked, time.Time{}, "ben"},
		{210, 5, "tanaka", at(10, 8, 0), 30, core.ApptInProgress, at(10, 7, 55), "ana"},
		{211, 1, "tanaka", at(10, 9, 30), 30, core.ApptBooked, time.Time{}, "ana"},
		{212, 4, "okafor", at(11, 14, 0), 15, core.ApptBooked, time.Time{}, "ana"},
		{213, 6, "tanaka", at(12, 10, 0), 30, core.ApptBooked, time.Time{}, "ana"},
	} {
		b.appts = append(b.appts, core.Appointment{
			Meta:      core.Meta{ID: fakeID(r.id), CreatedAt: at(3, 12, r.id%60).UTC(), CreatedBy: r.by},
			PatientID: fakeID(r.patient), Doctor: r.doctor, Start: r.start.UTC(), Minutes: r.mins,
			Room: rooms[r.doctor], Status: r.status, CheckedInAt: r.checkedIn.UTC(),
		})
	}
	b.conflicts = []core.Conflict{{
		Meta:         core.Meta{ID: fakeID(400), CreatedAt: at(9, 18, 0).UTC(), CreatedBy: "merge"},
		On:           "doctor",
		Appointments: [2]core.ID{fakeID(208), fakeID(209)},
		Status:       core.ConflictOpen,
	}}
}

// addDoctors adds n more doctors, each with one appointment today, for
// days with more columns than fit.
func (b *fakeBackend) addDoctors(n int) {
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("extra%02d", i+1)
		b.doctors = append(b.doctors, core.User{Name: name, DisplayName: fmt.Sprintf("Dr Extra %d", i+1), Role: core.RoleDoctor})
		b.scheds[name] = core.Schedule{Doctor: name, SlotMinutes: 15, Rooms: []string{fmt.Sprint(10 + i)},
			Hours: workweek(monFri, core.Span{Start: 8 * 60, End: 12 * 60})}
		b.appts = append(b.appts, core.Appointment{
			Meta:      core.Meta{ID: fakeID(500 + i), CreatedAt: at(3, 12, 0).UTC(), CreatedBy: "ana"},
			PatientID: fakeID(i%7 + 1), Doctor: name, Start: at(10, 10, 15*(i%4)).UTC(), Minutes: 15,
			Room: fmt.Sprint(10 + i), Status: core.ApptBooked, Reason: "follow-up",
		})
	}
}
