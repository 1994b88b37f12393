package ocr_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
)

// needTools skips a test when tesseract or poppler-utils is missing on a
// developer's machine, and fails it in CI, which installs them.
func needTools(t *testing.T) {
	t.Helper()
	if err := ocr.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must install tesseract-ocr and poppler-utils: %v", err)
		}
		t.Skip(err)
	}
}

func TestReadText(t *testing.T) {
	needTools(t)
	e := ocr.Engine{}
	for _, c := range []struct {
		name   string
		mime   string
		data   []byte
		source string
		words  []string
		pages  int
	}{
		{"png", core.MIMEPNG, ocrtest.PNG("Haemoglobin 13.2 g/dL", "Ferritin low, repeat in March"), "tesseract", []string{"Haemoglobin", "Ferritin", "March"}, 1},
		{"text pdf", core.MIMEPDF, ocrtest.TextPDF("Referral letter", "Cardiology clinic, Dr Ansbach"), "pdftotext", []string{"Referral", "Cardiology", "Ansbach"}, 1},
		{"scanned pdf", core.MIMEPDF, ocrtest.ScannedPDF(ocrtest.Page([]string{"Potassium 4.1 mmol/L"}), ocrtest.Page([]string{"Second page creatinine"})), "tesseract", []string{"Potassium", "creatinine"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var done, total int
			text, source, err := e.ReadText(context.Background(), c.mime, c.data, func(d, n int) { done, total = d, n })
			if err != nil {
				t.Fatalf("ReadText: %v", err)
			}
			if source != c.source {
				t.Errorf("source = %q, want %q", source, c.source)
			}
			for _, w := range c.words {
				if !strings.Contains(text, w) {
					t.Errorf("text %q lacks %q", text, w)
				}
			}
			if done != c.pages || total != c.pages {
				t.Errorf("progress ended at %d of %d, want %d of %d", done, total, c.pages, c.pages)
			}
		})
	}
}

func TestReadTextFailsCleanly(t *testing.T) {
	needTools(t)
	cases := []struct {
		name string
		e    ocr.Engine
		data []byte
	}{
		// Sniffed as a PNG by its magic, but no image follows.
		{"damaged image", ocr.Engine{}, []byte("\x89PNG\r\n\x1a\nnot really")},
		{"out of memory", ocr.Engine{MemoryBytes: 16 << 20}, ocrtest.PNG("Haemoglobin")},
		{"out of time", ocr.Engine{Timeout: time.Millisecond}, ocrtest.PNG("Haemoglobin")},
		{"unknown language", ocr.Engine{Langs: "xxx"}, ocrtest.PNG("Haemoglobin")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := c.e.ReadText(context.Background(), core.MIMEPNG, c.data, nil)
			if !errors.Is(err, ocr.ErrFailed) {
				t.Fatalf("ReadText = %v, want ErrFailed", err)
			}
			if msg, _ := core.Describe(err, nil); strings.Contains(strings.ToLower(msg), "ocr:") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one sentence for a person", msg)
			}
		})
	}
}
