package core

import (
	"errors"
	"testing"
	"time"
)

func TestLockoutDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{-1, 0},
		{0, 0},
		{1, 0},
		{LockoutThreshold - 1, 0},
		{5, 30 * time.Second},
		{6, time.Minute},
		{7, 2 * time.Minute},
		{8, 4 * time.Minute},
		{9, 8 * time.Minute},
		{10, 16 * time.Minute},
		{11, 32 * time.Minute},
		{12, time.Hour},
		{13, time.Hour},
		{100, time.Hour},
		{1 << 30, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			if got := LockoutDelay(tt.failures); got != tt.want {
				t.Fatalf("LockoutDelay(%d) = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}

func TestLockoutDelayNeverShrinks(t *testing.T) {
	prev := time.Duration(0)
	for n := range 200 {
		d := LockoutDelay(n)
		if d < prev || d > time.Hour {
			t.Fatalf("LockoutDelay(%d) = %v after %v, want non-decreasing and at most 1h", n, d, prev)
		}
		prev = d
	}
}

func TestLockedError(t *testing.T) {
	until := time.Date(2024, 3, 4, 11, 15, 0, 0, berlinZone(t))
	err := error(&LockedError{Until: until})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("errors.Is(%v, ErrLocked) = false", err)
	}
	if errors.Is(err, ErrAuth) {
		t.Errorf("a lockout matches ErrAuth")
	}
	// In the zone Until carries (the clinic's), not UTC (issue 7).
	want := "too many failed logins; try again after 11:15:00 CET"
	if got := err.Error(); got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
