package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A staff message with a file, sent at the desk of one workstation,
// arrives on another that joined the clinic, after both synced through a
// real sync server: the nurse reads it there and saves the file. The
// billing clerk's login on that workstation, its raw store file and the
// server's stored batches show neither the body nor the file.
func TestMessageArrivesOnAnotherWorkstation(t *testing.T) {
	a, _ := registeredClinic(t)
	b, _ := joined(t, a, "nurse")
	const body, secret = "CROSS-SITE-BODY call Ann", "ATTACHED-POTASSIUM-6.1"
	scan := filepath.Join(t.TempDir(), "k-result.txt")
	must(t, os.WriteFile(scan, []byte(secret), 0o600))

	a.as("desk", "staff-pass")
	id := strings.TrimSpace(a.must("message", "send", "--to", "nurse", "--subject", "Bloods", "--body", body, "--attach", scan))
	syncOut(t, a)
	b.as("nurse", "staff-pass")
	syncOut(t, b)

	saveTo := t.TempDir()
	out := b.must("message", "read", "--save-attachments", saveTo, id)
	if !strings.Contains(out, body) || !strings.Contains(out, "k-result.txt") {
		t.Fatalf("the nurse on the second workstation read %q", out)
	}
	got, err := os.ReadFile(filepath.Join(saveTo, "k-result.txt"))
	must(t, err)
	if string(got) != secret {
		t.Fatalf("saved file holds %q", got)
	}

	b.as("billing", "staff-pass")
	b.expect(exitValidation, `not found`, "message", "read", id)
	if out := b.must("message", "inbox"); strings.Contains(out, "Bloods") {
		t.Errorf("billing's inbox on the second workstation: %q", out)
	}
	raw, err := os.ReadFile(filepath.Join(b.dir, "clinic.db"))
	must(t, err)
	b.as("admin", "admin-pass")
	export := b.must("export")
	for where, data := range map[string][]byte{"the second store file": raw, "an admin's export there": []byte(export)} {
		for _, s := range []string{body, secret, "k-result.txt"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %q in clear", where, s)
			}
		}
	}

	syncOut(t, b)
	syncOut(t, a)
	a.as("desk", "staff-pass")
	if out := a.must("message", "read", id); !strings.Contains(out, "nurse") {
		t.Errorf("the sender does not see the nurse's read receipt: %q", out)
	}
}
