package main

import (
	"encoding/json"
	"strings"
	"testing"

	"medisecure/store"
)

// Consent had no command: now the desk records decisions per channel with
// how they were given, shows today's consent and the history, and bad
// answers are usage mistakes.
func TestConsentSetShow(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02", "--phone", "+44 20 7946 0000", "--sms"))
	out := c.must("consent", "set", "--email", "yes", "--telemedicine", "yes", "--how", "written", id)
	if n := len(strings.Fields(out)); n != 2 {
		t.Errorf("set printed %q, want two IDs", out)
	}
	c.now = c.now.Add(90 * 60e9)
	c.must("consent", "set", "--sms", "no", "--how", "verbal", id)
	out = c.must("consent", "show", id)
	for _, want := range []string{"sms           no", "telemedicine  yes", "sms           withdrawn  verbal   desk", "2026-11-26 10:30"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var v store.ConsentView
	must(t, json.Unmarshal([]byte(c.must("consent", "show", "--json", id)), &v))
	if len(v.History) != 3 || v.Current.SMS || !v.Current.Email || v.History[2].RecordedBy != "desk" {
		t.Errorf("show --json: %+v", v)
	}
	c.expect(exitUsage, `--sms takes yes or no`, "consent", "set", "--sms", "maybe", "--how", "verbal", id)
	c.expect(exitUsage, `give --how verbal, written or portal`, "consent", "set", "--sms", "yes", id)
	c.expect(exitUsage, `give at least one of`, "consent", "set", "--how", "verbal", id)
	c.as("billing", "staff-pass")
	c.expect(exitAuth, `billing may not`, "consent", "set", "--sms", "yes", "--how", "verbal", id)
}
