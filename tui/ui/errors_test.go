package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

func TestDescribe(t *testing.T) {
	denied := core.Authorize(core.Principal{User: "ana", Role: core.RoleReception}, core.ActRead, core.KindNote)
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("store: login: %w", core.ErrAuth), "wrong user or passphrase"},
		{&core.LockedError{Until: time.Date(2026, 3, 10, 8, 12, 30, 0, time.UTC)}, "too many failed logins; try again after 08:12:30 UTC"},
		{fmt.Errorf("store: notes: %w", denied), "Reception may not read note records: clinical records are for clinicians only."},
		{fmt.Errorf("store: %w", core.ErrDenied), "You are not permitted to do that."},
		{&core.ClashError{Clashes: []core.Clash{{With: core.ID("0190aa000000000000000007"), On: "room"}}}, "That time clashes: the room is already booked (appointment 00000007)."},
		{&core.ValidationError{Kind: core.KindPatient, Fields: []core.FieldError{{Field: "name", Message: "is required"}, {Field: "dob", Message: "is in the future"}}},
			"Please check name is required; date of birth is in the future."},
		{core.ApptCompleted.CheckTransition(core.ApptCancelled), "Appointment cannot go from completed to cancelled."},
		{errors.New("store: reading patient: core: malformed id"), "Reading patient: malformed id."},
		{errors.New("store: patient not found"), "Patient not found."},
	}
	for _, tt := range tests {
		got := Describe(tt.err)
		if got != tt.want {
			t.Errorf("Describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if strings.Contains(got, "core:") || strings.Contains(got, "store:") {
			t.Errorf("Describe(%v) = %q shows a package prefix", tt.err, got)
		}
	}
}
