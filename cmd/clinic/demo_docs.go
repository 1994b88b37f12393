package main

import (
	"context"
	"fmt"
	"time"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/ocr"
	"medisecure/store/ocr/ocrtest"
	"medisecure/store/seed"
)

// demoLetters are the lab letters the demo puts on the charts of the first
// doctor's patients of the day: a PDF with a text layer each, so their text
// reads without OCR.
var demoLetters = []struct {
	title string
	lines []string
}{
	{"Full blood count", []string{"HARBOUR STREET LABORATORY", "Full blood count", "Haemoglobin 13.9 g/dL (13.0-17.0)", "White cells 7.2 x10^9/L", "Platelets 262 x10^9/L", "Comment: no abnormality found."}},
	{"Renal function", []string{"HARBOUR STREET LABORATORY", "Urea and electrolytes", "Sodium 138 mmol/L", "Potassium 5.9 mmol/L  HIGH", "Creatinine 131 umol/L  HIGH", "Comment: please repeat within a week."}},
	{"HbA1c", []string{"HARBOUR STREET LABORATORY", "Glycated haemoglobin", "HbA1c 61 mmol/mol  HIGH", "Comment: above target; review treatment."}},
}

// seedDocuments adds the demo's lab letters and reads their text where
// poppler-utils is installed; elsewhere they wait for clinic doc ocr.
func seedDocuments(db *store.DB, now time.Time) error {
	doc, err := db.Login(seed.DoctorName(0), demoPass)
	if err != nil {
		return err
	}
	appts, err := doc.Appointments(core.DateOf(now, db.Zone()), doc.User().Name)
	if err != nil {
		return err
	}
	for i, l := range demoLetters {
		if i >= len(appts) {
			break
		}
		d, err := doc.AddDocument(store.NewDocument{
			PatientID: appts[i].PatientID, Type: core.DocLab, Title: l.title,
			Date: core.DateOf(now.AddDate(0, 0, -i-1), db.Zone()), Data: ocrtest.TextPDF(l.lines...),
		})
		if err != nil {
			return fmt.Errorf("demo documents: %w", err)
		}
		if ocr.Check() == nil {
			doc.ReadDocumentText(context.Background(), d.ID, ocr.Engine{}, nil)
		}
	}
	return nil
}
