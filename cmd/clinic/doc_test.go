package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
	"medisecure/store/seed"
)

// needOCR skips a test when tesseract or poppler-utils is missing on a
// developer's machine, and fails it in CI, which installs them.
func needOCR(t *testing.T) {
	t.Helper()
	if err := ocr.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must install tesseract-ocr and poppler-utils: %v", err)
		}
		t.Skip(err)
	}
}

// Documents had no command: a doctor adds a scanned lab result and a PDF
// letter, finds them by a word with the line shown, reads and saves them,
// marks one reviewed; refused files say why in one sentence and store
// nothing; reception may not search; the store file shows no word.
func TestDocCommands(t *testing.T) {
	needOCR(t)
	c := setup(t)
	id := c.newPatient("Ines Haraldsen", "1958-07-14")
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.pdf") // a PNG, whatever its name says
	must(t, os.WriteFile(scan, ocrtest.PNG("Sodium 139 mmol/L", "Thyroxine dose unchanged"), 0o600))
	letter := filepath.Join(dir, "letter.pdf")
	must(t, os.WriteFile(letter, ocrtest.TextPDF("Dear Dr Okafor,", "Echocardiogram shows mild regurgitation."), 0o600))
	corrupt := filepath.Join(dir, "broken.png")
	must(t, os.WriteFile(corrupt, ocrtest.PNG("x")[:50], 0o600))
	big := filepath.Join(dir, "big.pdf")
	must(t, os.WriteFile(big, make([]byte, 50<<20+1), 0o600))

	c.as("dr.okafor", "staff-pass")
	labID := strings.TrimSpace(c.must("doc", "add", "--type", "lab", "--title", "Electrolytes", "--date", "2026-11-20", id, scan))
	letterID := strings.TrimSpace(c.must("doc", "add", "--type", "letter", id, letter))
	c.expect(exitValidation, `PNG image is damaged`, "doc", "add", "--type", "lab", id, corrupt)
	c.expect(exitValidation, `more than the 50 MiB`, "doc", "add", "--type", "lab", id, big)
	c.expect(exitValidation, `type must be one of lab, referral`, "doc", "add", "--type", "xray", id, letter)
	c.expect(exitUsage, `give --type`, "doc", "add", id, letter)

	var docs []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		MIMEType   string `json:"mime_type"`
		TextState  string `json:"text_state"`
		ReviewedBy string `json:"reviewed_by"`
	}
	must(t, json.Unmarshal([]byte(c.must("doc", "list", "--json", id)), &docs))
	if len(docs) != 2 || docs[0].ID != letterID || docs[1].ID != labID || docs[1].MIMEType != "image/png" || docs[1].TextState != "read" {
		t.Fatalf("doc list --json: %+v", docs)
	}
	if out := c.must("doc", "list", id); strings.Count(out, "NEW") != 2 || !strings.Contains(out, "Electrolytes") {
		t.Errorf("doc list: %q", out)
	}
	out := c.must("doc", "search", "thyroxine")
	if !strings.Contains(out, labID) || !strings.Contains(out, "Thyroxine dose unchanged") {
		t.Errorf("doc search thyroxine: %q", out)
	}
	if out := c.must("doc", "search", "--patient", id, "echocardiogram", "mild"); !strings.Contains(out, letterID) || !strings.Contains(out, "Echocardiogram shows mild regurgitation.") {
		t.Errorf("doc search echocardiogram: %q", out)
	}
	if out := c.must("doc", "show", letterID); !strings.Contains(out, "Dear Dr Okafor,") || !strings.Contains(out, "NEW") {
		t.Errorf("doc show: %q", out)
	}
	saved := filepath.Join(dir, "saved.pdf")
	c.must("doc", "get", "--out", saved, letterID)
	want, _ := os.ReadFile(letter)
	if got, _ := os.ReadFile(saved); !bytes.Equal(got, want) {
		t.Errorf("doc get wrote %d bytes, want the %d of the original", len(got), len(want))
	}
	c.expect(exitUsage, `already exists`, "doc", "get", "--out", saved, letterID)
	c.must("doc", "review", labID)
	if out := c.must("doc", "list", id); strings.Count(out, "NEW") != 1 {
		t.Errorf("after review: %q", out)
	}
	if out := c.must("doc", "config", "--ocr-langs", "eng"); strings.TrimSpace(out) != "ocr-langs eng" {
		t.Errorf("doc config: %q", out)
	}
	c.expect(exitValidation, `tesseract has no xyz`, "doc", "config", "--ocr-langs", "eng+xyz")

	c.as("desk", "staff-pass")
	c.expect(exitAuth, `reception may not read document records`, "doc", "search", "thyroxine")

	raw, err := os.ReadFile(filepath.Join(c.dir, "clinic.db"))
	must(t, err)
	for _, w := range []string{"Thyroxine", "thyroxine", "Echocardiogram", "regurgitation", "Electrolytes", "Okafor,"} {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("the store file holds %q", w)
		}
	}
}

// The demo clinic had no documents: the first doctor's patients of the day
// have lab letters, found by a word in them.
func TestDemoHasLabLetters(t *testing.T) {
	needOCR(t)
	c := newCLI(t)
	c.now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	must(t, createDemo(c.env(nil, nil), filepath.Join(c.dir, "clinic.db")))
	c.as(seed.DoctorName(0), demoPass)
	if out := c.must("doc", "search", "potassium"); !strings.Contains(out, "Renal function") || !strings.Contains(out, "Potassium 5.9 mmol/L") {
		t.Errorf("doc search potassium in the demo: %q", out)
	}
}

// A scanned lab result added on one workstation is found by a word on
// another after sync: its record (and text) come with the batches, its
// file with the document pieces, or on demand when saved.
func TestDocumentReachesAnotherWorkstation(t *testing.T) {
	needOCR(t)
	a := setup(t)
	addr := startSyncd(t, a.now)
	a.as("admin", "admin-pass")
	syncOut(t, a, "--server", addr, "--token", syncToken)
	b := secondWorkstation(t, a)
	syncOut(t, b, "--server", addr)

	id := a.newPatient("Maren Oyelaran", "1966-09-30")
	scan := filepath.Join(t.TempDir(), "scan.png")
	must(t, os.WriteFile(scan, ocrtest.PNG("Ferritin 9 ug/L LOW", "Start iron tablets"), 0o600))
	a.as("dr.okafor", "staff-pass")
	docID := strings.TrimSpace(a.must("doc", "add", "--type", "lab", "--title", "Iron studies", id, scan))
	if out := a.must("sync"); !strings.Contains(out, "documents: 1 sent, 0 fetched") {
		t.Errorf("first workstation's sync: %q", out)
	}
	b.as("dr.okafor", "staff-pass")
	b.must("sync", "status") // nothing fetched before the sync
	saved := filepath.Join(t.TempDir(), "iron.png")
	if out := b.must("sync"); !strings.Contains(out, "documents: 0 sent, 1 fetched") {
		t.Errorf("second workstation's sync: %q", out)
	}
	if out := b.must("doc", "search", "ferritin"); !strings.Contains(out, docID) || !strings.Contains(out, "Ferritin 9") {
		t.Errorf("search on the second workstation: %q", out)
	}
	b.must("doc", "get", "--out", saved, docID)
	want, _ := os.ReadFile(scan)
	if got, _ := os.ReadFile(saved); !bytes.Equal(got, want) {
		t.Errorf("the file on the second workstation differs from the original")
	}
}
