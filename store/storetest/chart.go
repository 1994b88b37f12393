package storetest

import (
	"errors"
	"testing"
	"time"

	"medisecure/core"
)

// inCare is a clinic with a patient the doctor has a visit with, so the
// doctor may open the chart.
func (c *clinic) inCare(t *testing.T) core.Patient {
	t.Helper()
	c.ready(t)
	c.need(t, "charts")
	p := c.patient(t, "Ada Chart", "1970-03-04")
	c.book(t, p.ID, "2026-11-26 09:00", 15)
	return p
}

func testChartAccess(t *testing.T, c *clinic) {
	p := c.inCare(t)
	stranger := c.patient(t, "Bo Elsewhere", "1981-05-06")
	if _, err := c.DeskCharts.Chart(p.ID, "curious"); !errors.Is(err, core.ErrDenied) {
		t.Errorf("a receptionist opened a chart: %v", err)
	}
	if _, err := c.Clinician.Chart(stranger.ID, "curious"); !errors.Is(err, core.ErrNoRelationship) {
		t.Errorf("a doctor opened the chart of a patient never seen: %v", err)
	}
	ch, err := c.Clinician.Chart(p.ID, "visit")
	if err != nil || ch.Patient.ID != p.ID {
		t.Fatalf("the doctor's own patient: %+v, %v", ch.Patient, err)
	}
}

func testAllergies(t *testing.T, c *clinic) {
	p := c.inCare(t)
	if _, err := c.Clinician.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "pen\x1b[2Jicillin", Severity: core.SeveritySevere}); err == nil {
		t.Error("an allergy with an escape sequence was stored")
	}
	a, err := c.Clinician.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "penicillin", Reaction: "rash", Severity: core.SeveritySevere})
	if err != nil || a.ID == "" {
		t.Fatalf("add allergy: %+v, %v", a, err)
	}
	if _, err := c.Clinician.AddAllergy(core.Allergy{PatientID: p.ID, Substance: " Penicillin", Severity: core.SeverityMild}); err == nil {
		t.Error("the same substance was recorded twice")
	}
	if _, err := c.Clinician.AddAllergy(core.Allergy{PatientID: p.ID, NoneKnown: true}); err == nil {
		t.Error("no known allergies was recorded over a listed allergy")
	}
	ch, err := c.Clinician.Chart(p.ID, "visit")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Allergies) != 1 || ch.Allergies[0].Substance != "penicillin" {
		t.Errorf("allergies: %+v", ch.Allergies)
	}
}

func testNotes(t *testing.T, c *clinic) {
	p := c.inCare(t)
	d, err := c.Clinician.SaveDraft(core.NoteDraft{PatientID: p.ID, Subjective: "cough for a week", Plan: "rest"})
	if err != nil || d.ID == "" {
		t.Fatalf("save draft: %+v, %v", d, err)
	}
	ch, err := c.Clinician.Chart(p.ID, "visit")
	if err != nil || len(ch.Drafts) != 1 || len(ch.Notes) != 0 {
		t.Fatalf("after the draft: %d drafts, %d notes, %v", len(ch.Drafts), len(ch.Notes), err)
	}
	n, err := c.Clinician.SignNote(d.ID)
	if err != nil || n.ID == "" {
		t.Fatalf("sign: %+v, %v", n, err)
	}
	if _, err := c.Clinician.SignNote(d.ID); err == nil {
		t.Error("a draft was signed twice")
	}
	if _, err := c.Clinician.AddAddendum(n.ID, "wheeze\u202eheard"); err == nil {
		t.Error("an addendum with a bidi override was stored")
	}
	if _, err := c.Clinician.AddAddendum(n.ID, "chest clear on review"); err != nil {
		t.Fatalf("addendum: %v", err)
	}
	ch, err = c.Clinician.Chart(p.ID, "visit")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Drafts) != 0 || len(ch.Notes) != 1 || len(ch.Addenda) != 1 {
		t.Errorf("after signing: %d drafts, %d notes, %d addenda", len(ch.Drafts), len(ch.Notes), len(ch.Addenda))
	}
}

func testVitals(t *testing.T, c *clinic) {
	p := c.inCare(t)
	at := c.clock.Now().Add(-time.Minute)
	_, err := c.Clinician.AddVitals(p.ID, at, []core.Reading{{Metric: core.MetricHeartRate, Value: 900}})
	field(t, err, string(core.MetricHeartRate))
	vs, err := c.Clinician.AddVitals(p.ID, at, []core.Reading{
		{Metric: core.MetricWeightKg, Value: 80}, {Metric: core.MetricHeightCm, Value: 200},
	})
	if err != nil {
		t.Fatal(err)
	}
	bmi := false
	for _, v := range vs {
		if v.Metric == core.MetricBMI && v.Value == 20 {
			bmi = true
		}
	}
	if !bmi {
		t.Errorf("no BMI of 20 derived from 80 kg and 200 cm: %+v", vs)
	}
	ch, err := c.Clinician.Chart(p.ID, "visit")
	if err != nil || len(ch.Vitals) != len(vs) {
		t.Errorf("the chart holds %d vitals, want %d (%v)", len(ch.Vitals), len(vs), err)
	}
}
