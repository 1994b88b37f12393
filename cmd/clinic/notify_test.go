package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clinic notify config seals the gateways' secrets without ever printing
// them (not in status, not in --json, not in the raw file); send-due on
// the sending device queues tomorrow's reminders and, with the gateways
// down, plans retries the desk can see in status.
func TestNotifyConfigStatusSendDue(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	c.expect(exitValidation, `notifications are not set up`, "notify", "send-due")
	c.vars["CLINIC_SMTP_PASSWORD"], c.vars["CLINIC_SMS_TOKEN"] = "SMTP-SECRET-PW", "SMS-SECRET-TOKEN"
	c.expect(exitValidation, `reminder hour must be between 0 and 23`, "notify", "config", "--smtp", "127.0.0.1:1", "--from", "desk@clinic.example", "--reminder-hour", "24")
	c.expect(exitValidation, `must be https`, "notify", "config", "--sms-url", "http://sms.example.org", "--sms-account", "AC1", "--sms-from", "+15550001111")
	out := c.must("notify", "config", "--smtp", "127.0.0.1:1", "--from", "desk@clinic.example", "--smtp-user", "clinic",
		"--sms-url", "http://127.0.0.1:1", "--sms-account", "AC0123", "--sms-from", "+15550001111", "--reminder-hour", "8")
	if !strings.Contains(out, "is the one that sends") {
		t.Errorf("config: %q", out)
	}
	status := c.must("notify", "status")
	js := c.must("notify", "status", "--json")
	raw, err := os.ReadFile(filepath.Join(c.dir, "clinic.db"))
	must(t, err)
	for what, text := range map[string]string{"config": out, "status": status, "status --json": js, "the store file": string(raw)} {
		for _, secret := range []string{"SMTP-SECRET-PW", "SMS-SECRET-TOKEN"} {
			if strings.Contains(text, secret) || bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s shows %s", what, secret)
			}
		}
	}
	if !strings.Contains(status, "sealed here") || !strings.Contains(status, "(this workstation)") {
		t.Errorf("status:\n%s", status)
	}
	out = c.must("notify", "send-due")
	var rep struct{ Queued, Retrying, Delivered int }
	must(t, json.Unmarshal([]byte(c.must("notify", "send-due", "--json")), &rep))
	if !strings.Contains(out, "queued") || rep.Delivered != 0 {
		t.Errorf("send-due: %q, then %+v", out, rep)
	}
	if status := c.must("notify", "status"); !strings.Contains(status, "reminder") || !strings.Contains(status, "retry at") {
		t.Errorf("status after send-due with the gateways down:\n%s", status)
	}
	c.must("notify", "template", "reminder", "--subject", "See you {date}", "--body", "Hi {patient}, {time} tomorrow.")
	c.expect(exitValidation, `not one of`, "notify", "template", "reminder", "--body", "{secret}")
	c.expect(exitUsage, `reminder, confirmation`, "notify", "template", "spam", "--body", "b")
}
