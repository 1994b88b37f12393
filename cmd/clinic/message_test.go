package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"medisecure/core"
)

// Messages existed only in the seed: no command sent, listed or read one.
// A message with a file goes from the desk to the nurse, sealed: the nurse
// reads it and saves the file, the read is recorded once, and neither the
// billing clerk's login nor the raw store file shows the body or the file.
func TestMessageSendInboxRead(t *testing.T) {
	c := setup(t)
	dir := t.TempDir()
	scan := filepath.Join(dir, "lab-scan.txt")
	must(t, os.WriteFile(scan, []byte("POTASSIUM-SIX-POINT-ONE for room 4"), 0o600))
	big := filepath.Join(dir, "huge.pdf")
	must(t, os.WriteFile(big, make([]byte, core.MaxAttachmentBytes+1), 0o600))

	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("message", "send", "--to", "nurse", "--subject", "Bloods", "--body", "CALL-BACK-BEFORE-NOON please", "--attach", scan))
	if _, err := core.ParseID(id); err != nil {
		t.Fatalf("send printed %q, want an id", id)
	}
	var sent core.Message
	must(t, json.Unmarshal([]byte(c.must("message", "send", "--json", "--to", "nurse,billing", "--subject", "Rota", "--body", "Friday swap")), &sent))
	if sent.ID == "" || sent.From != "desk" || len(sent.To) != 2 || sent.Sealed != nil {
		t.Errorf("send --json printed %+v", sent)
	}
	c.expect(exitValidation, `huge.pdf is 2.0 MiB; a message takes files of at most 2 MiB`, "message", "send", "--to", "nurse", "--subject", "s", "--body", "b", "--attach", big)
	c.expect(exitValidation, `"nobody" is not a user here`, "message", "send", "--to", "nobody", "--subject", "s", "--body", "b")
	c.expect(exitUsage, `give --to, --subject and --body`, "message", "send", "--to", "nurse")
	c.expect(exitUsage, `cannot read`, "message", "send", "--to", "nurse", "--subject", "s", "--body", "b", "--attach", filepath.Join(dir, "missing.pdf"))

	c.as("nurse", "staff-pass")
	if out := c.must("message", "inbox", "--unread"); !strings.Contains(out, "Bloods") || !strings.Contains(out, "NEW") || !strings.Contains(out, "1 file(s)") {
		t.Errorf("inbox --unread: %q", out)
	}
	saveTo := t.TempDir()
	out := c.must("message", "read", "--save-attachments", saveTo, id)
	if !strings.Contains(out, "CALL-BACK-BEFORE-NOON please") || !strings.Contains(out, "lab-scan.txt") {
		t.Errorf("read: %q", out)
	}
	got, err := os.ReadFile(filepath.Join(saveTo, "lab-scan.txt"))
	must(t, err)
	if string(got) != "POTASSIUM-SIX-POINT-ONE for room 4" {
		t.Errorf("saved file holds %q", got)
	}
	c.expect(exitUsage, `already exists`, "message", "read", "--save-attachments", saveTo, id)
	var rows []inboxRow
	must(t, json.Unmarshal([]byte(c.must("message", "inbox", "--json", "--unread")), &rows))
	if len(rows) != 1 || rows[0].Subject != "Rota" || !rows[0].Unread {
		t.Errorf("inbox --unread --json after reading: %+v", rows)
	}
	c.expect(exitUsage, `malformed id`, "message", "read", "nope")

	c.as("billing", "staff-pass")
	c.expect(exitValidation, `not found`, "message", "read", id)
	if out := c.must("message", "inbox"); strings.Contains(out, "Bloods") || !strings.Contains(out, "Rota") {
		t.Errorf("billing's inbox: %q", out)
	}
	c.as("desk", "staff-pass")
	var m core.Message
	must(t, json.Unmarshal([]byte(c.must("message", "read", "--json", id)), &m))
	if len(m.ReadBy) != 1 || m.ReadBy[0] != "nurse" {
		t.Errorf("the sender sees read by %v", m.ReadBy)
	}

	raw, err := os.ReadFile(filepath.Join(c.dir, "clinic.db"))
	must(t, err)
	for _, secret := range []string{"CALL-BACK-BEFORE-NOON", "POTASSIUM-SIX-POINT-ONE", "lab-scan"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is in the store file in clear", secret)
		}
	}
}
