package store

import (
	"bytes"
	"os"
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
