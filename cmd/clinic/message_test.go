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

	reply := strings.TrimSpace(c.must("message", "reply", "--body", "Called her at 11", id))
	c.expect(exitUsage, `give --body`, "message", "reply", id)

	c.as("billing", "staff-pass")
	c.expect(exitValidation, `not found`, "message", "read", id)
	c.expect(exitValidation, `not found`, "message", "reply", "--body", "me too", id)
	if out := c.must("message", "inbox"); strings.Contains(out, "Bloods") || !strings.Contains(out, "Rota") {
		t.Errorf("billing's inbox: %q", out)
	}
	c.as("desk", "staff-pass")
	var m core.Message
	must(t, json.Unmarshal([]byte(c.must("message", "read", "--json", id)), &m))
	if len(m.ReadBy) != 1 || m.ReadBy[0] != "nurse" {
		t.Errorf("the sender sees read by %v", m.ReadBy)
	}
	var r core.Message
	must(t, json.Unmarshal([]byte(c.must("message", "read", "--json", reply)), &r))
	if r.Subject != "Re: Bloods" || r.From != "nurse" || len(r.To) != 1 || r.To[0] != "desk" || r.ReplyTo != core.ID(id) || r.Body != "Called her at 11" {
		t.Errorf("the reply reads %+v", r)
	}

	raw, err := os.ReadFile(filepath.Join(c.dir, "clinic.db"))
	must(t, err)
	for _, secret := range []string{"CALL-BACK-BEFORE-NOON", "POTASSIUM-SIX-POINT-ONE", "lab-scan"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is in the store file in clear", secret)
		}
	}
}

// A reply goes to the sender, or with --all to everyone on the message
// but the one replying, once each; "Re: " is never doubled.
func TestReplyTo(t *testing.T) {
	orig := core.Message{Meta: core.Meta{ID: "0190aa000000000000000001"}, From: "desk", To: []string{"nurse", "billing", "desk"}, Subject: "Re: Bloods"}
	for _, tc := range []struct {
		me   string
		all  bool
		want string
	}{
		{"nurse", false, "desk"},
		{"nurse", true, "desk,billing"},
		{"desk", true, "nurse,billing"},
		{"desk", false, "desk"},
	} {
		r := replyTo(orig, tc.me, "ok", tc.all)
		if got := strings.Join(r.To, ","); got != tc.want || r.Subject != "Re: Bloods" || r.ReplyTo != orig.ID {
			t.Errorf("%s replying (all %v): to %s subject %q, want to %s", tc.me, tc.all, got, r.Subject, tc.want)
		}
	}
}
