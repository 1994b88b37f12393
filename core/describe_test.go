package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	berlin := berlinZone(t)
	denied := Authorize(Principal{User: "ana", Role: RoleReception}, ActRead, KindNote)
	tests := []struct {
		name string
		err  error
		want string
		exit int
	}{
		{"nil", nil, "", 0},
		{"auth", fmt.Errorf("store: login: %w", ErrAuth), "Wrong user or passphrase.", 2},
		{"locked, in the clinic's zone", &LockedError{Until: time.Date(2026, 12, 1, 21, 6, 39, 0, time.UTC)}, "Too many failed logins; try again after 22:06:39 CET.", 2},
		{"denied", fmt.Errorf("store: notes: %w", denied), "Reception may not read note records: clinical records are for clinicians only.", 2},
		{"bare denied", fmt.Errorf("store: %w", ErrDenied), "You are not permitted to do that.", 2},
		{"clash with next free in the zone", &ClashError{Clashes: []Clash{{With: "0000000000000000000000a7", On: "doctor"}}, HasNext: true, Next: time.Date(2026, 12, 7, 8, 45, 0, 0, time.UTC)},
			"That time clashes: the doctor is already booked (appointment 000000a7); next free slot: Mon 7 Dec 2026 09:45.", 3},
		{"clash with nothing free", &ClashError{OutsideHours: true, SearchedDays: 60}, "That time clashes: outside the doctor's working hours; no free slot in the next 60 days.", 3},
		{"validation", &ValidationError{Kind: KindPatient, Fields: []FieldError{{Field: "name", Message: "is required"}, {Field: "dob", Message: "is in the future"}}},
			"Please check name is required; date of birth is in the future.", 3},
		{"transition", ApptCompleted.CheckTransition(ApptCancelled), "Appointment cannot go from completed to cancelled.", 3},
		{"move a checked-in visit", &TransitionError{Kind: KindAppointment, From: "checked_in", To: "moved"}, "Only booked appointments can be moved; this one is checked in.", 3},
		{"day guard", &StatusTimeError{To: ApptCheckedIn, Start: time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC)}, "This appointment can be checked in only on its day, Fri 27 Nov 2026.", 3},
		{"no-show guard", fmt.Errorf("store: %w", &StatusTimeError{To: ApptNoShow, Start: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Early: true}), "This appointment can be marked as a no-show only after it starts at 10:00.", 3},
		{"prefixes everywhere", fmt.Errorf("store: reading patient: %w", ErrBadID), "Reading patient: malformed id.", 3},
		{"unclassed", errors.New("store: patient not found"), "Patient not found.", 4},
		{"escape in a message", fmt.Errorf("store: %q is not a doctor: %w", "x\x1b[2J", ErrInvalid), `"x\x1b[2J" is not a doctor: invalid record.`, 3},
		{"raw escape in a message", errors.New("store: x\x1b[2J"), "X␛[2J.", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, exit := Describe(tt.err, berlin)
			if got != tt.want || exit != tt.exit {
				t.Errorf("Describe(%v) = %q %d, want %q %d", tt.err, got, exit, tt.want, tt.exit)
			}
			for _, p := range []string{"core:", "store:", "UTC"} {
				if strings.Contains(got, p) {
					t.Errorf("Describe(%v) = %q shows %q", tt.err, got, p)
				}
			}
		})
	}
}

func TestClassExits(t *testing.T) {
	for c, want := range map[Class]int{ClassUnknown: 4, ClassUsage: 1, ClassAuth: 2, ClassValidation: 3, ClassConflict: 3, ClassStore: 4, ClassSync: 4} {
		if got := c.Exit(); got != want {
			t.Errorf("%s.Exit() = %d, want %d", c, got, want)
		}
	}
}

func TestCoreSentinelsAreClassed(t *testing.T) {
	for err, want := range map[error]Class{
		ErrAuth: ClassAuth, ErrLocked: ClassAuth, ErrDenied: ClassAuth,
		ErrInvalid: ClassValidation, ErrTransition: ClassValidation, ErrStatusTime: ClassValidation, ErrBadID: ClassValidation,
		ErrNoConsent: ClassValidation, ErrNoRefills: ClassValidation, ErrNotActive: ClassValidation,
		ErrCurrency: ClassValidation, ErrOverpaid: ClassValidation,
		ErrClash: ClassConflict, ErrChainBroken: ClassStore,
	} {
		if got := ClassOf(fmt.Errorf("store: doing: %w", err)); got != want {
			t.Errorf("ClassOf(%v) = %s, want %s", err, got, want)
		}
		if !errors.Is(fmt.Errorf("x: %w", err), err) {
			t.Errorf("errors.Is does not match %v", err)
		}
	}
}

// usage is a command-line error type of another package, classed by its
// own method.
type usage struct{}

func (usage) Error() string     { return "clinic: unknown flag --x" }
func (usage) ErrorClass() Class { return ClassUsage }
func TestOtherPackagesClassTheirErrors(t *testing.T) {
	got, exit := Describe(fmt.Errorf("running: %w", usage{}), nil)
	if got != "Running: unknown flag --x." || exit != 1 {
		t.Errorf("Describe = %q %d", got, exit)
	}
}
