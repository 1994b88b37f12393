package core

import (
	"strings"
	"testing"
	"time"
)

func zoneNamed(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDateOrderOf(t *testing.T) {
	for name, want := range map[string]DateOrder{
		"Europe/Berlin": OrderDayMonth, "Europe/London": OrderDayMonth, "Australia/Sydney": OrderDayMonth,
		"America/Sao_Paulo": OrderDayMonth, "Asia/Kolkata": OrderDayMonth, "Africa/Nairobi": OrderDayMonth,
		"America/New_York": OrderMonthDay, "America/Los_Angeles": OrderMonthDay, "America/Indiana/Indianapolis": OrderMonthDay,
		"Pacific/Honolulu": OrderMonthDay,
		"Asia/Tokyo":       OrderYearMonth, "Asia/Shanghai": OrderYearMonth,
		"America/Toronto": OrderISO, "UTC": OrderISO, "Etc/GMT+2": OrderISO,
	} {
		if got := DateOrderOf(zoneNamed(t, name)); got != want {
			t.Errorf("DateOrderOf(%s) = %d, want %d", name, got, want)
		}
	}
	if DateOrderOf(nil) != OrderISO {
		t.Error("no zone is not ISO only")
	}
}

func TestParseDateIn(t *testing.T) {
	for _, tc := range []struct {
		zone, in string
		want     Date // "" when refused
	}{
		{"Europe/Berlin", "27.03.1984", "1984-03-27"},
		{"Europe/Berlin", "7.3.1984", "1984-03-07"},
		{"Europe/Berlin", "27/03/1984", "1984-03-27"},
		{"Europe/Berlin", "27-03-1984", "1984-03-27"},
		{"Europe/Berlin", " 27.03.1984 ", "1984-03-27"},
		{"Europe/Berlin", "1984-03-27", "1984-03-27"},
		{"Europe/Berlin", "03.27.1984", ""},
		{"Europe/Berlin", "31.02.1984", ""},
		{"Europe/Berlin", "27.03.84", ""},
		{"Europe/Berlin", "27.03/1984", ""},
		{"Europe/Berlin", "27..03.1984", ""},
		{"Europe/Berlin", "27.03.1984.", ""},
		{"Europe/Berlin", "x7.03.1984", ""},
		{"Europe/London", "27/03/1984", "1984-03-27"},
		{"America/New_York", "03/27/1984", "1984-03-27"},
		{"America/New_York", "27/03/1984", ""},
		{"Asia/Tokyo", "1984/03/27", "1984-03-27"},
		{"UTC", "27.03.1984", ""},
		{"UTC", "1984-3-7", "1984-03-07"},
	} {
		t.Run(tc.zone+" "+tc.in, func(t *testing.T) {
			got, err := ParseDateIn(tc.in, zoneNamed(t, tc.zone))
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseDateIn(%q) = %q, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseDateIn(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
	_, err := ParseDateIn("tomorrow", zoneNamed(t, "Europe/Berlin"))
	if err == nil || !strings.Contains(err.Error(), "27.03.1984 or 1984-03-27") {
		t.Errorf("the error does not show the forms: %v", err)
	}
}
