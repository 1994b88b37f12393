package core

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// apptStates are all appointment statuses.
var apptStates = []AppointmentStatus{ApptBooked, ApptCheckedIn, ApptInProgress, ApptCompleted, ApptCancelled, ApptNoShow}

func TestAppointmentTransitions(t *testing.T) {
	// The moves DESIGN.md allows: booked → checked_in → in_progress →
	// completed; booked → cancelled | no_show; and the corrections a desk
	// needs, one step back each. Every other pair is refused.
	allowed := map[[2]AppointmentStatus]bool{
		{ApptBooked, ApptCheckedIn}:     true,
		{ApptCheckedIn, ApptInProgress}: true,
		{ApptInProgress, ApptCompleted}: true,
		{ApptBooked, ApptCancelled}:     true,
		{ApptBooked, ApptNoShow}:        true,
		{ApptCheckedIn, ApptBooked}:     true,
		{ApptNoShow, ApptBooked}:        true,
		{ApptCancelled, ApptBooked}:     true,
		{ApptInProgress, ApptCheckedIn}: true,
		{ApptCompleted, ApptInProgress}: true,
	}
	for _, from := range apptStates {
		for _, to := range apptStates {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := from.CheckTransition(to)
				if allowed[[2]AppointmentStatus{from, to}] {
					if err != nil {
						t.Fatalf("CheckTransition = %v, want nil", err)
					}
					return
				}
				assertTransitionError(t, err, string(from), string(to))
			})
		}
	}
}

func TestAppointmentTransitionFromUnknown(t *testing.T) {
	assertTransitionError(t, AppointmentStatus("bogus").CheckTransition(ApptCheckedIn), "bogus", "checked_in")
	assertTransitionError(t, ApptBooked.CheckTransition("bogus"), "booked", "bogus")
}

func TestAppointmentDayWalk(t *testing.T) {
	path := []AppointmentStatus{ApptBooked, ApptCheckedIn, ApptInProgress, ApptCompleted}
	for i := 1; i < len(path); i++ {
		if err := path[i-1].CheckTransition(path[i]); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

// assertTransitionError checks that err is a *TransitionError for an
// appointment naming both states.
func assertTransitionError(tb testing.TB, err error, from, to string) {
	tb.Helper()
	if !errors.Is(err, ErrTransition) {
		tb.Fatalf("err = %v, want ErrTransition", err)
	}
	var te *TransitionError
	if !errors.As(err, &te) {
		tb.Fatalf("err = %#v, want a *TransitionError", err)
	}
	if te.Kind != KindAppointment || te.From != from || te.To != to {
		tb.Errorf("TransitionError = %+v, want appointment from %s to %s", te, from, to)
	}
	if want := "appointment: cannot go from " + from + " to " + to; err.Error() != want {
		tb.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestAppointmentStatusHolds(t *testing.T) {
	tests := []struct {
		s    AppointmentStatus
		want bool
	}{
		{ApptBooked, true},
		{ApptCheckedIn, true},
		{ApptInProgress, true},
		{ApptCompleted, true},
		{ApptCancelled, false},
		{ApptNoShow, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Holds(); got != tt.want {
				t.Fatalf("Holds() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseAppointmentStatus(t *testing.T) {
	for _, s := range apptStates {
		t.Run(string(s), func(t *testing.T) {
			if got, err := ParseAppointmentStatus(string(s)); err != nil || got != s {
				t.Fatalf("ParseAppointmentStatus(%q) = %q, %v", s, got, err)
			}
		})
	}
	for _, in := range []string{"", "Booked", "done", " booked"} {
		t.Run("refuses "+in, func(t *testing.T) {
			got, err := ParseAppointmentStatus(in)
			if got != "" {
				t.Errorf("ParseAppointmentStatus(%q) = %q on error", in, got)
			}
			assertFieldErrors(t, err, KindAppointment, map[string]string{
				"status": "must be one of booked, cancelled, checked_in, completed, in_progress, no_show",
			})
		})
	}
}

// bookedAppointment is a booked half-hour visit.
func bookedAppointment(tb testing.TB) *Appointment {
	tb.Helper()
	return &Appointment{
		Meta:      Meta{ID: idApptA, CreatedBy: "alice"},
		PatientID: idPatientP,
		Doctor:    "dr-x",
		Start:     utcTime(tb, "2024-03-04 09:00"),
		Minutes:   30,
		Room:      "r1",
		Status:    ApptBooked,
	}
}

func TestAppointmentValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(a *Appointment)
		want map[string]string
	}{
		{"valid", func(*Appointment) {}, nil},
		{"no room", func(a *Appointment) { a.Room = "" }, nil},
		{"shortest", func(a *Appointment) { a.Minutes = 5 }, nil},
		{"longest", func(a *Appointment) { a.Minutes = 480 }, nil},
		{"no patient", func(a *Appointment) { a.PatientID = "" }, map[string]string{"patient": "is required"}},
		{"bad patient id", func(a *Appointment) { a.PatientID = "zoe" }, map[string]string{"patient": "not a patient id"}},
		{"no doctor", func(a *Appointment) { a.Doctor = "" }, map[string]string{"doctor": "is required"}},
		{"no start", func(a *Appointment) { a.Start = time.Time{} }, map[string]string{"start": "is required"}},
		{"too short", func(a *Appointment) { a.Minutes = 4 }, map[string]string{"minutes": "between 5 and 480"}},
		{"too long", func(a *Appointment) { a.Minutes = 481 }, map[string]string{"minutes": "between 5 and 480"}},
		{"room too long", func(a *Appointment) { a.Room = strings.Repeat("r", 41) }, map[string]string{"room": "at most 40"}},
		{"reason too long", func(a *Appointment) { a.Reason = strings.Repeat("r", 501) }, map[string]string{"reason": "at most 500"}},
		{"no status", func(a *Appointment) { a.Status = "" }, map[string]string{"status": "must be one of"}},
		{"unknown status", func(a *Appointment) { a.Status = "done" }, map[string]string{"status": "must be one of"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := bookedAppointment(t)
			tt.edit(a)
			assertFieldErrors(t, a.Validate(), KindAppointment, tt.want)
		})
	}
}

func TestAppointmentSlot(t *testing.T) {
	a := bookedAppointment(t)
	want := Slot{ID: idApptA, Doctor: "dr-x", Room: "r1", PatientID: idPatientP,
		Start: utcTime(t, "2024-03-04 09:00"), End: utcTime(t, "2024-03-04 09:30"), Holds: true}
	if got := a.Slot(); got != want {
		t.Fatalf("Slot() = %+v, want %+v", got, want)
	}
	if got := a.End(); !got.Equal(want.End) {
		t.Errorf("End() = %v, want %v", got, want.End)
	}
	a.Status = ApptNoShow
	if a.Slot().Holds {
		t.Error("a no-show appointment still holds its slot")
	}
}
