package main

import (
	"encoding/json"
	"strings"
	"testing"

	"medisecure/core"
)

// clinic tele book refuses a patient without telemedicine consent with
// exit 3; with it, it prints the session and its link, and start, end and
// list follow the session to its duration.
func TestTeleBookStartEnd(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	c.must("notify", "config", "--tele-url", "https://meet.jit.si/")
	var appts []core.Appointment
	must(t, json.Unmarshal([]byte(c.must("appt", "list", "--json", "--date", "2026-11-27")), &appts))
	var appt core.Appointment
	for _, a := range appts {
		if a.Status == core.ApptBooked {
			appt = a
			break
		}
	}
	if appt.ID == "" {
		t.Fatal("the seed booked nothing for tomorrow")
	}
	c.must("consent", "set", string(appt.PatientID), "--telemedicine", "no", "--how", "verbal")
	c.expect(exitValidation, `has not agreed to telemedicine`, "tele", "book", string(appt.ID))
	c.now = c.now.Add(60e9) // a later decision, not one of the same instant
	c.must("consent", "set", string(appt.PatientID), "--telemedicine", "yes", "--how", "written")
	out := c.must("tele", "book", string(appt.ID))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "join: https://meet.jit.si/medisecure-") {
		t.Fatalf("tele book printed %q", out)
	}
	id := lines[0]
	c.expect(exitValidation, `already has video session`, "tele", "book", string(appt.ID))
	c.expect(exitValidation, `scheduled`, "tele", "end", id)
	if out := c.must("tele", "start", id); !strings.Contains(out, "live at 09:01") {
		t.Errorf("tele start printed %q", out)
	}
	c.now = c.now.Add(12 * 60e9)
	if out := c.must("tele", "end", id); !strings.Contains(out, "ended after 12m0s") {
		t.Errorf("tele end printed %q", out)
	}
	if out := c.must("tele", "list", "--date", "2026-11-27"); !strings.Contains(out, id) || !strings.Contains(out, "12m0s") {
		t.Errorf("tele list: %q", out)
	}
	c.expect(exitUsage, `malformed id`, "tele", "start", "nope")
}
