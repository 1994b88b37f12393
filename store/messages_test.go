package store

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"medisecure/core"
)

func TestMessagesAreSealedToTheirRecipients(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	if _, err := f.desk.SendMessage(core.Message{To: []string{"drwho"}, PatientID: p.ID, Subject: "Lab results", Body: "Potassium 6.1, please call back"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who  *Session
		want int
	}{{f.doctor, 1}, {f.desk, 1}, {f.admin, 0}} {
		got, err := tc.who.Inbox()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Fatalf("%s sees %d messages, want %d", tc.who.User().Name, len(got), tc.want)
		}
		if tc.want == 1 && (got[0].Body != "Potassium 6.1, please call back" || got[0].From != "desk") {
			t.Errorf("%s reads %+v", tc.who.User().Name, got[0])
		}
	}
	if _, err := f.desk.SendMessage(core.Message{To: []string{"nobody"}, Subject: "x", Body: "y"}); err == nil {
		t.Error("a message to an unknown user was sent")
	}
	// Not even the store key opens the body: export shows only ciphertext.
	var out bytes.Buffer
	if _, err := f.admin.Export(&out); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("Potassium")) {
		t.Error("the message body is readable in an export")
	}
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	if bytes.Contains(raw, []byte("Potassium")) {
		t.Error("the message body is in the file in clear")
	}
}

// An attachment was only a core type: nothing sent one, and a read left no
// receipt. Now the file is sealed under a key only the recipients' copies
// hold, a stranger (and the raw file, and an export) sees neither body nor
// file nor its name, and reading writes one receipt.
func TestAttachmentsAndReceipts(t *testing.T) {
	f := newFixture(t)
	report := []byte("HAEMOGLOBIN-REPORT: Hb 7.2 g/dL for Ann")
	sent, err := f.desk.SendMessage(core.Message{To: []string{"drwho"}, Subject: "Report", Body: "Ferritin-note: see the scan"},
		File{Name: "ann-smith-bloods.txt", MIMEType: "text/plain", Data: report})
	must(t, err)
	if len(sent.Attachments) != 1 || sent.Attachments[0].FileName != "ann-smith-bloods.txt" || sent.ID == "" {
		t.Fatalf("sent %+v", sent)
	}
	if _, err := f.desk.SendMessage(core.Message{To: []string{"drwho"}, Subject: "x", Body: "y"},
		File{Name: "big.pdf", MIMEType: "application/pdf", Data: make([]byte, core.MaxAttachmentBytes+1)}); err == nil || !strings.Contains(err.Error(), "2 MiB") {
		t.Errorf("an oversized attachment: %v", err)
	}

	inbox, err := f.doctor.Inbox()
	must(t, err)
	if len(inbox) != 1 || !f.doctor.Unread(inbox[0]) {
		t.Fatalf("the doctor's inbox before reading: %+v", inbox)
	}
	m, files, err := f.doctor.ReadMessage(sent.ID)
	must(t, err)
	if m.Body != "Ferritin-note: see the scan" || len(files) != 1 || !bytes.Equal(files[0].Data, report) || files[0].FileName != "ann-smith-bloods.txt" {
		t.Fatalf("the doctor reads %+v with %+v", m, files)
	}
	_, err = f.doctor.OpenMessage(sent.ID)
	must(t, err)
	inbox, err = f.doctor.Inbox()
	must(t, err)
	if f.doctor.Unread(inbox[0]) || !slices.Equal(inbox[0].ReadBy, []string{"drwho"}) {
		t.Errorf("after reading twice: read by %v", inbox[0].ReadBy)
	}
	outbox, err := f.desk.Inbox()
	must(t, err)
	if len(outbox) != 1 || !slices.Equal(outbox[0].ReadBy, []string{"drwho"}) || f.desk.Unread(outbox[0]) {
		t.Errorf("the sender sees %+v", outbox)
	}
	if _, err := f.admin.OpenMessage(sent.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a non-recipient reads the message: %v", err)
	}
	if got, err := f.admin.Inbox(); err != nil || len(got) != 0 {
		t.Errorf("a non-recipient's inbox: %v %v", got, err)
	}

	var out bytes.Buffer
	_, err = f.admin.Export(&out)
	must(t, err)
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	for _, secret := range []string{"HAEMOGLOBIN-REPORT", "Ferritin-note", "ann-smith-bloods"} {
		if bytes.Contains(out.Bytes(), []byte(secret)) {
			t.Errorf("%q is readable in an admin's export", secret)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is in the store file in clear", secret)
		}
	}
}

// A message could go only to users named one by one, and to a disabled
// account. Now "role:doctor" reaches every enabled doctor but the sender,
// once each, and a disabled account or an unknown role is refused.
func TestMessageToARole(t *testing.T) {
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "drno", Role: core.RoleDoctor}, "doctor-pass"))
	must(t, f.admin.AddUser(core.User{Name: "drgone", Role: core.RoleDoctor, Disabled: true}, "doctor-pass"))
	m, err := f.desk.SendMessage(core.Message{To: []string{"drwho", "role:doctor"}, Subject: "Rota", Body: "Friday"})
	must(t, err)
	if !slices.Equal(m.To, []string{"drwho", "drno"}) {
		t.Errorf("role:doctor reached %v", m.To)
	}
	for _, tc := range []struct{ to, want string }{
		{"role:surgeon", "names no role"},
		{"drgone", "disabled"},
		{"role:billing", "no one else here has the role billing"},
	} {
		if _, err := f.desk.SendMessage(core.Message{To: []string{tc.to}, Subject: "x", Body: "y"}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("to %s: %v, want %q", tc.to, err, tc.want)
		}
	}
}
