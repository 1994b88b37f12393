package core

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"1984-03-27", "1984-03-27", true},
		{"1984-3-7", "1984-03-07", true},
		{"1984-03-7", "1984-03-07", true},
		{"2024-02-29", "2024-02-29", true},
		{"1880-01-01", "1880-01-01", true},
		{"2023-02-29", "", false},
		{"1984-04-31", "", false},
		{"1984-13-01", "", false},
		{"1984-00-10", "", false},
		{"1984-03-00", "", false},
		{"1984-03-027", "", false},
		{"84-03-27", "", false},
		{"27.03.1984", "", false},
		{"1984/03/27", "", false},
		{" 1984-03-27", "", false},
		{"1984-03-27T00:00:00Z", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %q, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "like 1984-03-27") {
					t.Errorf("error %q does not show the expected form", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !got.valid() {
				t.Errorf("%q from ParseDate is not valid()", got)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	berlin := berlinZone(t)
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	late := utcTime(t, "2024-03-03 23:30")
	tests := []struct {
		name string
		loc  *time.Location
		want Date
	}{
		{"UTC", time.UTC, "2024-03-03"},
		{"already Monday in Berlin", berlin, "2024-03-04"},
		{"still Sunday in New York", newYork, "2024-03-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateOf(late, tt.loc); got != tt.want {
				t.Fatalf("DateOf(%v, %v) = %q, want %q", late, tt.loc, got, tt.want)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	berlin := berlinZone(t)
	tests := []struct {
		d    Date
		loc  *time.Location
		want time.Time
		ok   bool
	}{
		{"2024-03-04", time.UTC, utcTime(t, "2024-03-04 00:00"), true},
		{"2024-03-04", berlin, utcTime(t, "2024-03-03 23:00"), true},
		{"2024-03-31", berlin, utcTime(t, "2024-03-30 23:00"), true},
		{"2024-04-01", berlin, utcTime(t, "2024-03-31 22:00"), true},
		{"2024-10-27", berlin, utcTime(t, "2024-10-26 22:00"), true},
		{"2024-3-4", berlin, time.Time{}, false},
		{"", berlin, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.d)+" "+tt.loc.String(), func(t *testing.T) {
			got, err := tt.d.Time(tt.loc)
			if !tt.ok {
				if err == nil {
					t.Fatalf("Time() = %v, want an error", got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != tt.loc {
				t.Fatalf("Time() = %v, %v; want %v in %v", got, err, tt.want, tt.loc)
			}
		})
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{"2024-03-04", 0, "2024-03-04"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2024-02-28", 2, "2024-03-01"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2023-12-31", 1, "2024-01-01"},
		{"2024-03-01", -1, "2024-02-29"},
		{"2024-03-30", 1, "2024-03-31"},
		{"2024-03-31", 1, "2024-04-01"},
		{"2024-01-01", 366, "2025-01-01"},
		{"garbage", 1, "garbage"},
	}
	for _, tt := range tests {
		t.Run(string(tt.d), func(t *testing.T) {
			if got := tt.d.AddDays(tt.n); got != tt.want {
				t.Fatalf("%q.AddDays(%d) = %q, want %q", tt.d, tt.n, got, tt.want)
			}
		})
	}
}
