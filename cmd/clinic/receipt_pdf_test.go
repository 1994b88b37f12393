package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReceiptAsPDF: clinic receipt --pdf writes a PDF only its user can
// read, whose text (read back with pdftotext, which .ci/run installs) is
// the receipt's, with a name in Cyrillic and Polish letters as written,
// and which names no patient in its metadata.
func TestReceiptAsPDF(t *testing.T) {
	c, _ := newBillingClinic(t)
	c.as("desk", "staff-pass")
	pat := strings.TrimSpace(c.must("patient", "add", "--name", "Łucja Иванова", "--dob", "1979-09-10"))
	c.as("billing", "staff-pass")
	inv := strings.TrimSpace(c.must("invoice", "create", "--patient", pat, "--item", "CONS"))
	c.must("invoice", "issue", inv)
	pay := strings.TrimSpace(c.must("pay", inv, "--amount", "20.00", "--method", "card", "--ref", "slip 9"))
	text := c.must("receipt", pay)

	file := filepath.Join(t.TempDir(), "receipt.pdf")
	if out := c.must("receipt", pay, "--pdf", file); out != "" {
		t.Errorf("receipt --pdf also printed %q", out)
	}
	info, err := os.Stat(file)
	must(t, err)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the PDF has mode %v, want 0600", info.Mode().Perm())
	}
	raw, err := os.ReadFile(file)
	must(t, err)
	if !bytes.HasPrefix(raw, []byte("%PDF-1.")) || !bytes.Contains(raw[len(raw)-32:], []byte("%%EOF")) || !bytes.Contains(raw, []byte("/Type /Page")) {
		t.Fatalf("not a PDF: %q…", raw[:min(len(raw), 64)])
	}
	if bytes.Contains(raw, []byte("/Title")) || bytes.Contains(raw, []byte("/Author")) || bytes.Contains(raw, []byte("/Subject")) {
		t.Errorf("the PDF has metadata that could name the patient")
	}
	needTools(t, "pdftotext")
	got, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", file, "-").Output()
	must(t, err)
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" && !strings.Contains(strings.Join(strings.Fields(string(got)), " "), line) {
			t.Errorf("the PDF lacks the receipt's line %q; pdftotext reads:\n%s", line, got)
		}
	}
	for _, want := range []string{"RECEIPT " + pay, "Łucja Иванова", "20.00 EUR", "slip 9"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the PDF lacks %q:\n%s", want, got)
		}
	}
}
