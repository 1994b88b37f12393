package booking

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	now := at(10, 9, 12) // Tuesday
	tests := []struct {
		in   string
		want time.Time
	}{
		{"9:30", at(10, 9, 30)},
		{"09:30", at(10, 9, 30)},
		{"14:00", at(10, 14, 0)},
		{"14", at(10, 14, 0)},
		{"930", at(10, 9, 30)},
		{"1430", at(10, 14, 30)},
		{"9.45", at(10, 9, 45)},
		{"9am", at(10, 9, 0)},
		{"2:30pm", at(10, 14, 30)},
		{"12am", at(10, 0, 0)},
		{"12pm", at(10, 12, 0)},
		{"tomorrow 14:00", at(11, 14, 0)},
		{"Tomorrow  9:05", at(11, 9, 5)},
		{"tom 8", at(11, 8, 0)},
		{"today 16:45", at(10, 16, 45)},
		{"14:00 tomorrow", at(11, 14, 0)},
		{"mon 9:00", at(16, 9, 0)},
		{"monday 9:00", at(16, 9, 0)},
		{"tue 9:00", at(17, 9, 0)}, // today is Tuesday: the next one
		{"wed 10:15", at(11, 10, 15)},
		{"Fri 17:00", at(13, 17, 0)},
		{"sun 11:00", at(15, 11, 0)},
		{"2026-12-01 10:15", time.Date(2026, 12, 1, 10, 15, 0, 0, clinicZone)},
		{"2026-4-1 8:00", time.Date(2026, 4, 1, 8, 0, 0, 0, clinicZone)},
		{"+1w", at(17, 9, 15)},
		{"+1d", at(11, 9, 15)},
		{"+3d 10:00", at(13, 10, 0)},
		{"+2w 9:30", at(24, 9, 30)},
		{"+2h", at(10, 11, 15)},
		{"+30m", at(10, 9, 45)},
		{"+0d", at(10, 9, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseWhen(tt.in, now, clinicZone)
			if err != nil {
				t.Fatalf("parseWhen(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("parseWhen(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseWhenRejects(t *testing.T) {
	now := at(10, 9, 12)
	for _, in := range []string{
		"", "   ", "soon", "25:00", "9:60", "9:5", "13pm", "0am", "tomorrow", "mon",
		"2026-13-01 10:00", "2026-12-01", "+1", "+w", "+1y", "+2h 9:00", "+-1d",
		"tomorrow next 9:00", "9:30 10:30", "12345", "9:3o",
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := parseWhen(in, now, clinicZone); err == nil {
				t.Fatalf("parseWhen(%q) = %s, want an error", in, got)
			}
		})
	}
}

// TestParseWhenZone checks that times are read in the clinic's zone, not
// the zone of the clock handed in.
func TestParseWhenZone(t *testing.T) {
	got, err := parseWhen("tomorrow 9:00", at(10, 23, 30).UTC(), clinicZone)
	if err != nil {
		t.Fatal(err)
	}
	if want := at(11, 9, 0); !got.Equal(want) {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// clinicZone is the test clinic's zone: fixed, so tests need no tz data.
var clinicZone = time.FixedZone("CET", 3600)

// at is a time on the test clinic's clock, in March 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, clinicZone)
}
