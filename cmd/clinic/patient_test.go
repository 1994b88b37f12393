package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// Nothing about a registered patient could be changed from the command
// line, and nothing printed one patient's record.
func TestPatientEditAndShow(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02", "--phone", "+44 20 7946 0000", "--sms"))
	out := c.must("patient", "edit", id, "--phone", "+44 20 7946 0999", "--address", "1 Harbour Street, Kingsport",
		"--emergency-contact", "Bob Smith +44 20 7946 0001", "--insurer", "Harbour Mutual", "--insurance-number", "HM-1234567", "--email", "ann@example.org")
	if !strings.Contains(out, "1 Harbour Street, Kingsport") || !strings.Contains(out, "+44 20 7946 0999") {
		t.Errorf("edit printed %q", out)
	}
	var shown patientJSON
	must(t, json.Unmarshal([]byte(c.must("patient", "show", id, "--json")), &shown))
	p := shown.Patient
	want := core.Patient{Name: "Ann Smith", DOB: "1990-01-02", Phone: "+44 20 7946 0999", Email: "ann@example.org",
		Address: "1 Harbour Street, Kingsport", EmergencyContact: "Bob Smith +44 20 7946 0001", InsurerName: "Harbour Mutual", InsuranceNumber: "HM-1234567"}
	want.Consent.SMS = true
	p.Meta = core.Meta{}
	if p != want {
		t.Errorf("show --json after edit:\n got %+v\nwant %+v", p, want)
	}
	c.must("patient", "edit", id, "--email", "", "--sms=false")
	out = c.must("patient", "show", id)
	for _, line := range []string{"Insurer            Harbour Mutual", "Consents           SMS no"} {
		if !strings.Contains(out, line) {
			t.Errorf("show lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "ann@example.org") {
		t.Errorf("--email \"\" did not clear the address:\n%s", out)
	}

	// Upcoming appointments and the visit history, split at now.
	past, err := time.Parse(time.RFC3339, "2026-11-25T09:00:00Z")
	must(t, err)
	c.must("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30", "--reason", "check-up")
	later := c.now
	c.now = past
	c.must("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", "2026-11-25 10:15", "--reason", "cough")
	c.now = later
	out = c.must("patient", "show", id)
	up, hist := strings.Index(out, "Upcoming: 1"), strings.Index(out, "History: 1")
	if up < 0 || hist < up || !strings.Contains(out[up:hist], "2026-12-07 09:30") || !strings.Contains(out[hist:], "2026-11-25 10:15") || !strings.Contains(out[hist:], "cough") {
		t.Errorf("show lacks the upcoming visit or the history:\n%s", out)
	}
	must(t, json.Unmarshal([]byte(c.must("patient", "show", id, "--json")), &shown))
	if len(shown.Upcoming) != 1 || len(shown.History) != 1 || shown.History[0].Reason != "cough" {
		t.Errorf("show --json: upcoming %v, history %v", shown.Upcoming, shown.History)
	}

	c.expect(exitValidation, `phone must be 6 to 15 digits`, "patient", "edit", id, "--phone", "call me")
	c.expect(exitUsage, `needs at least one field`, "patient", "edit", id)
	c.expect(exitUsage, `malformed id`, "patient", "edit", "nope", "--phone", "+44 20 7946 0999")
	c.expect(exitValidation, `not found`, "patient", "show", "0123456789abcdef01234567")
	c.as("billing", "staff-pass")
	c.expect(exitAuth, `billing may not change patient records`, "patient", "edit", id, "--phone", "+44 20 7946 0998")

	c.as("admin", "admin-pass")
	if out := c.must("audit", "list", "--patient", id); !strings.Contains(out, "shown at the command line") {
		t.Errorf("patient show was not logged: %s", out)
	}
}
