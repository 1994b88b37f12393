package core

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAppointmentCorrections(t *testing.T) {
	for _, tc := range []struct {
		from, to   AppointmentStatus
		correction bool
	}{
		{ApptNoShow, ApptBooked, true},
		{ApptCheckedIn, ApptBooked, true},
		{ApptCancelled, ApptBooked, true},
		{ApptInProgress, ApptCheckedIn, true},
		{ApptCompleted, ApptInProgress, true},
		{ApptBooked, ApptCheckedIn, false},
		{ApptBooked, ApptNoShow, false},
	} {
		t.Run(string(tc.from)+"→"+string(tc.to), func(t *testing.T) {
			if err := tc.from.CheckTransition(tc.to); err != nil {
				t.Fatalf("CheckTransition = %v", err)
			}
			if got := tc.from.IsCorrection(tc.to); got != tc.correction {
				t.Errorf("IsCorrection = %v, want %v", got, tc.correction)
			}
			if got := tc.from.NeedsReason(tc.to); got != tc.correction {
				t.Errorf("NeedsReason = %v, want %v", got, tc.correction)
			}
		})
	}
	// Still refused: no skipping ahead, no reopening past the step before.
	for _, bad := range [][2]AppointmentStatus{
		{ApptNoShow, ApptCheckedIn}, {ApptCompleted, ApptBooked}, {ApptCompleted, ApptCancelled},
		{ApptCheckedIn, ApptCompleted}, {ApptCheckedIn, ApptCancelled}, {ApptCancelled, ApptNoShow},
	} {
		if err := bad[0].CheckTransition(bad[1]); !errors.Is(err, ErrTransition) {
			t.Errorf("%s → %s: %v, want ErrTransition", bad[0], bad[1], err)
		}
	}
	if !ApptBooked.NeedsReason(ApptCancelled) {
		t.Error("a cancellation needs no reason")
	}
}

func TestUndoOf(t *testing.T) {
	for _, tc := range []struct {
		from, to, back AppointmentStatus
		ok             bool
	}{
		{ApptBooked, ApptCheckedIn, ApptBooked, true},
		{ApptBooked, ApptNoShow, ApptBooked, true},
		{ApptBooked, ApptCancelled, ApptBooked, true},
		{ApptCheckedIn, ApptInProgress, ApptCheckedIn, true},
		{ApptInProgress, ApptCompleted, ApptInProgress, true},
		{ApptCheckedIn, ApptBooked, "", false}, // undoing an undo is the step itself again
	} {
		back, ok := UndoOf(tc.from, tc.to)
		if back != tc.back || ok != tc.ok {
			t.Errorf("UndoOf(%s, %s) = %q %v, want %q %v", tc.from, tc.to, back, ok, tc.back, tc.ok)
		}
		if ok {
			if err := tc.to.CheckTransition(back); err != nil {
				t.Errorf("the undo %s → %s is not allowed: %v", tc.to, back, err)
			}
		}
	}
}

func TestMovable(t *testing.T) {
	for _, s := range []AppointmentStatus{ApptBooked, ApptCheckedIn, ApptInProgress, ApptCompleted, ApptCancelled, ApptNoShow} {
		if got, want := Movable(s), s == ApptBooked; got != want {
			t.Errorf("Movable(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckStatusTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 09:00 in Berlin on Friday 27 Nov 2026 is 08:00 UTC.
	a := Appointment{Start: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), Minutes: 15, Status: ApptBooked}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		from AppointmentStatus
		to   AppointmentStatus
		now  string
		want string // "" when allowed
	}{
		{"check in the day before", ApptBooked, ApptCheckedIn, "2026-11-26 16:00", "can be checked in only on its day (Fri 27 Nov 2026)"},
		{"check in the day after", ApptBooked, ApptCheckedIn, "2026-11-28 08:00", "only on its day"},
		{"check in early that day", ApptBooked, ApptCheckedIn, "2026-11-27 00:30", ""},
		{"check in late that day", ApptBooked, ApptCheckedIn, "2026-11-27 23:30", ""},
		{"start tomorrow's", ApptCheckedIn, ApptInProgress, "2026-11-26 09:00", "can be started only on its day"},
		{"complete tomorrow's", ApptInProgress, ApptCompleted, "2026-11-26 09:00", "can be completed only on its day"},
		{"no-show before the start", ApptBooked, ApptNoShow, "2026-11-27 08:59", "can be marked as a no-show only after it starts at 09:00"},
		{"no-show the day before", ApptBooked, ApptNoShow, "2026-11-26 09:30", "only after it starts at 09:00"},
		{"no-show at the start", ApptBooked, ApptNoShow, "2026-11-27 09:00", ""},
		{"no-show days later", ApptBooked, ApptNoShow, "2026-11-30 09:00", ""},
		{"cancel a future visit", ApptBooked, ApptCancelled, "2026-11-20 09:00", ""},
		{"undo a check-in the next day", ApptCheckedIn, ApptBooked, "2026-11-28 09:00", ""},
		{"undo a no-show", ApptNoShow, ApptBooked, "2026-11-28 09:00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := a
			b.Status = tc.from
			err := CheckStatusTime(b, tc.to, at(tc.now), berlin)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckStatusTime = %v, want nil", err)
				}
				return
			}
			var se *StatusTimeError
			if !errors.As(err, &se) || !errors.Is(err, ErrStatusTime) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckStatusTime = %v, want a *StatusTimeError matching ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestNextFreeIsNeverInThePast(t *testing.T) {
	start := utcTime(t, "2024-03-04 09:00")
	now := utcTime(t, "2024-03-04 10:07")
	if got := SearchFrom(start, now); !got.Equal(now) {
		t.Errorf("SearchFrom(past start) = %v, want now", got)
	}
	later := utcTime(t, "2024-03-05 09:00")
	if got := SearchFrom(later, now); !got.Equal(later) {
		t.Errorf("SearchFrom(future start) = %v, want the start", got)
	}
	a := bookedAppointment(t)
	if err := CheckNotPast(a, now); err == nil {
		t.Error("a start before now was accepted")
	}
	if err := CheckNotPast(a, start); err != nil {
		t.Errorf("a start at now was refused: %v", err)
	}
}
