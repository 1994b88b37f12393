package tui

import (
	"testing"

	"medisecure/core"
)

// The chart had no way to a patient's documents. D opens them; esc comes
// back to the chart.
func TestChartOpensDocuments(t *testing.T) {
	h := newHarness(t, 100, 30)
	p := seedChart(h.b)
	h.b.docs = []core.Document{{Meta: core.Meta{ID: fakeID(9001), CreatedAt: at(2, 9, 0).UTC()}, PatientID: p, Type: core.DocLab, Title: "Lipid panel",
		Date: "2026-03-02", MIMEType: core.MIMEPDF, SizeBytes: 2048, TextState: core.TextRead, ExtractedText: "LDL 2.1 mmol/L", UploadedBy: "okafor"}}
	h.login("okafor")
	h.keys("/")
	h.typ("nunez")
	h.keys("enter v D")
	h.mustSee("Documents (1, 1 new)", "Lipid panel", "text read")
	h.keys("enter")
	h.mustSee("LDL 2.1 mmol/L", "NEW, not reviewed")
	h.keys("m esc")
	h.mustSee("Documents (1, 0 new)")
	h.keys("esc")
	h.mustSee("ALLERGIES")
}
