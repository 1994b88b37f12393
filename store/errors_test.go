package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"medisecure/core"
)

func TestStoreSentinelsAreClassed(t *testing.T) {
	for err, want := range map[error]core.Class{
		ErrNotFound: core.ClassValidation, ErrNoSchedule: core.ClassValidation, ErrAppendOnly: core.ClassValidation,
		ErrNotInConflict: core.ClassValidation, ErrUserExists: core.ClassConflict,
		ErrNotStore: core.ClassStore, ErrCorrupt: core.ClassStore, ErrNewerSchema: core.ClassStore, ErrExists: core.ClassStore,
		ErrInUse: core.ClassStore, ErrEpochBehind: core.ClassStore, ErrBadDirectory: core.ClassStore, ErrAuditBroken: core.ClassStore,
		ErrRootMismatch: core.ClassSync,
	} {
		wrapped := fmt.Errorf("%w: patient 0123", err)
		msg, exit := core.Describe(wrapped, nil)
		if got := core.ClassOf(wrapped); got != want || exit != want.Exit() {
			t.Errorf("%v: class %s exit %d, want %s", err, got, exit, want)
		}
		if strings.HasPrefix(msg, "Store:") || strings.Contains(msg, ": store:") {
			t.Errorf("%v reads %q", err, msg)
		}
	}
}

func TestLockoutIsToldInTheClinicZone(t *testing.T) {
	f := newFixture(t) // 08:00 UTC is 09:00 in Berlin
	var err error
	for i := 0; i < core.LockoutThreshold; i++ {
		_, err = f.db.Login("desk", "wrong")
	}
	var locked *core.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("login: %v, want a lockout", err)
	}
	// Issue 7: "after 21:06:39 UTC" while the clock shows 22:06.
	if want := "after 09:00:30 CET"; !strings.Contains(err.Error(), want) {
		t.Errorf("lockout reads %q, want %q", err, want)
	}
	if msg, exit := core.Describe(err, f.db.Zone()); msg != "Too many failed logins; try again after 09:00:30 CET." || exit != 2 {
		t.Errorf("Describe = %q %d", msg, exit)
	}
}
