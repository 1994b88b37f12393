package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// newClinic is a store with only its admin, as clinic init leaves it:
// no seed, so no doctor has hours until someone sets them.
func newClinic(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.as("admin", "admin-pass")
	c.must("init", "--org", "Fresh Clinic", "--admin", "admin", "--zone", "Europe/Berlin")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "staff-pass"
	c.must("user", "add", "--role", "doctor", "--name", "Dr Nadia Haddad", "dr.haddad")
	c.must("user", "add", "--role", "reception", "desk")
	return c
}

// A doctor added with clinic user add could never be booked: nothing set
// their hours. clinic schedule set does, and the booking goes through,
// with the doctor's slot length when --minutes is not given.
func TestScheduleMakesANewDoctorBookable(t *testing.T) {
	c := newClinic(t)
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02"))
	book := []string{"appt", "book", "--patient", id, "--doctor", "dr.haddad", "--at", "2026-11-30 13:00"}
	c.expect(exitValidation, `dr.haddad has no working hours set`, book...)
	c.expect(exitAuth, `reception may not create schedule records`,
		"schedule", "set", "--doctor", "dr.haddad", "--days", "mon-fri", "--hours", "08:00-17:00")

	c.as("admin", "admin-pass")
	out := c.must("schedule", "set", "--doctor", "dr.haddad", "--days", "mon-fri", "--hours", "08:00-12:00,13:00-17:00", "--slot", "20", "--room", "Room 9")
	if !strings.Contains(out, "20-minute slots; rooms: Room 9") || !strings.Contains(out, "Mon  08:00-12:00, 13:00-17:00") || !strings.Contains(out, "Sat  off") {
		t.Errorf("schedule set printed %q", out)
	}
	c.must("schedule", "set", "--doctor", "dr.haddad", "--days", "sat", "--hours", "09:00-12:00")
	var sc scheduleJSON
	must(t, json.Unmarshal([]byte(c.must("schedule", "show", "--doctor", "dr.haddad", "--json")), &sc))
	if sc.SlotMinutes != 20 || len(sc.Rooms) != 1 || sc.Rooms[0] != "Room 9" ||
		strings.Join(sc.Hours["mon"], ",") != "08:00-12:00,13:00-17:00" || strings.Join(sc.Hours["fri"], ",") != "08:00-12:00,13:00-17:00" ||
		strings.Join(sc.Hours["sat"], ",") != "09:00-12:00" || len(sc.Hours["sun"]) != 0 {
		t.Errorf("schedule show --json: %+v", sc)
	}

	c.as("desk", "staff-pass")
	if out := c.must("schedule", "show", "--doctor", "dr.haddad"); !strings.Contains(out, "Sat  09:00-12:00") {
		t.Errorf("reception reads the schedule: %q", out)
	}
	c.expect(exitValidation, `outside the doctor's working hours.*next free slot: Mon 30 Nov 2026 13:00`,
		"appt", "book", "--patient", id, "--doctor", "dr.haddad", "--at", "2026-11-30 12:00")
	appt := strings.TrimSpace(c.must(book...))
	if out := c.must("appt", "list", "--date", "2026-11-30", "--doctor", "dr.haddad"); !strings.Contains(out, appt) || !regexp.MustCompile(`13:00\s+20\s+dr.haddad`).MatchString(out) {
		t.Errorf("the booking is not 20 minutes at 13:00: %q", out)
	}
}

func TestScheduleBadInput(t *testing.T) {
	c := newClinic(t)
	cases := []struct {
		code int
		re   string
		args []string
	}{
		{exitUsage, `needs --doctor`, []string{"schedule", "set", "--days", "mon", "--hours", "08:00-12:00"}},
		{exitUsage, `--days and --hours together`, []string{"schedule", "set", "--doctor", "dr.haddad", "--days", "mon"}},
		{exitUsage, `--days: "mo" is not a weekday`, []string{"schedule", "set", "--doctor", "dr.haddad", "--days", "mo-fr", "--hours", "08:00-12:00"}},
		{exitUsage, `--hours: "17:00-08:00" is not hours like 09:00-12:30`, []string{"schedule", "set", "--doctor", "dr.haddad", "--days", "mon", "--hours", "17:00-08:00"}},
		{exitValidation, `overlapping spans`, []string{"schedule", "set", "--doctor", "dr.haddad", "--days", "mon", "--hours", "08:00-12:00,11:00-13:00"}},
		{exitValidation, `slot minutes must be between 5 and 240`, []string{"schedule", "set", "--doctor", "dr.haddad", "--days", "mon", "--hours", "08:00-12:00", "--slot", "1"}},
		{exitValidation, `"desk" is not a doctor here`, []string{"schedule", "set", "--doctor", "desk", "--days", "mon", "--hours", "08:00-12:00"}},
		{exitValidation, `dr.haddad has no working hours set; set them with clinic schedule set`, []string{"schedule", "show", "--doctor", "dr.haddad"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) { c.expect(tc.code, tc.re, tc.args...) })
	}
}

func TestParseDays(t *testing.T) {
	for in, want := range map[string]string{
		"mon-fri":     "Monday Tuesday Wednesday Thursday Friday",
		"mon,wed,fri": "Monday Wednesday Friday",
		"Sat-Sun":     "Saturday Sunday",
		"fri-mon":     "Friday Saturday Sunday Monday",
		"tuesday":     "Tuesday",
		"mon-tue,mon": "Monday Tuesday",
	} {
		days, err := parseDays(in)
		var got []string
		for _, d := range days {
			got = append(got, d.String())
		}
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("parseDays(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "mo", "mon-", "funday", "mon,,fri"} {
		if _, err := parseDays(bad); err == nil {
			t.Errorf("parseDays(%q) took it", bad)
		}
	}
}

// A doctor sets their own hours, and only theirs; admins set anyone's.
func TestDoctorSetsOwnSchedule(t *testing.T) {
	c := newClinic(t)
	c.must("user", "add", "--role", "doctor", "dr.berg")
	c.as("dr.haddad", "staff-pass")
	if out := c.must("schedule", "set", "--doctor", "dr.haddad", "--days", "tue,thu", "--hours", "09:00-13:00"); !strings.Contains(out, "Tue  09:00-13:00") {
		t.Errorf("own schedule: %q", out)
	}
	c.expect(exitAuth, `doctor may not change schedule records: a doctor sets only their own hours`,
		"schedule", "set", "--doctor", "dr.berg", "--days", "mon", "--hours", "09:00-13:00")
}
