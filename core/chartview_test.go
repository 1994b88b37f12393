package core

import (
	"testing"
	"time"
)

func TestAllergyNoneKnownValidate(t *testing.T) {
	assertValid(t, &Allergy{Meta: sampleMeta(30), PatientID: sampleID(1), NoneKnown: true, RecordedBy: "nurse.kim"})
	runInvalid(t, func(tb testing.TB) *Allergy {
		return &Allergy{Meta: sampleMeta(30), PatientID: sampleID(1), NoneKnown: true, RecordedBy: "nurse.kim"}
	}, []invalidCase[*Allergy]{
		{"none known naming a substance", func(a *Allergy) { a.Substance = "penicillin" }, []string{"substance"}},
		{"none known with a severity", func(a *Allergy) { a.Severity = SeverityMild }, []string{"substance"}},
	})
	runInvalid(t, validAllergy, []invalidCase[*Allergy]{
		{"no substance", func(a *Allergy) { a.Substance = "" }, []string{"substance"}},
		{"no severity", func(a *Allergy) { a.Severity = "" }, []string{"severity"}},
	})
}

func TestAllergyStateOf(t *testing.T) {
	pen := Allergy{Substance: "penicillin", Severity: SeveritySevere}
	nka := Allergy{NoneKnown: true}
	gone := Allergy{Substance: "latex", Severity: SeverityMild, Meta: Meta{Deleted: true}}
	for _, tc := range []struct {
		name string
		in   []Allergy
		want AllergyState
		n    int
	}{
		{"nothing recorded", nil, AllergiesNotAsked, 0},
		{"only a removed allergy", []Allergy{gone}, AllergiesNotAsked, 0},
		{"none known", []Allergy{nka}, AllergiesNoneKnown, 0},
		{"listed", []Allergy{pen, gone}, AllergiesListed, 1},
		{"listed wins over a stale none known", []Allergy{nka, pen}, AllergiesListed, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, listed := AllergyStateOf(tc.in)
			if got != tc.want || len(listed) != tc.n {
				t.Fatalf("got %v with %d listed, want %v with %d", got, len(listed), tc.want, tc.n)
			}
		})
	}
	if AllergiesNotAsked.String() == AllergiesNoneKnown.String() {
		t.Fatal("not asked and none known read the same")
	}
}

func TestChartSummaryParts(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	c := Chart{
		Problems: []Problem{{Description: "old", Status: ProblemResolved}, {Description: "dm", Status: ProblemActive, Onset: "2019-01-01"}, {Description: "htn", Status: ProblemActive, Onset: "2021-01-01"}},
		Prescriptions: []Prescription{
			{Meta: Meta{ID: "a"}, Status: PrescriptionActive, StartDate: "2026-03-01", Medications: []PrescribedDrug{{Drug: "metformin"}}},
			{Meta: Meta{ID: "b"}, Status: PrescriptionCancelled, StartDate: "2026-03-02", Medications: []PrescribedDrug{{Drug: "amoxicillin"}}},
		},
		Medications: []Medication{{Drug: "omeprazole", Active: true}, {Drug: "aspirin"}},
		Vitals: []Vital{
			{Metric: MetricHeartRate, Value: 70, TakenAt: day(2)}, {Metric: MetricHeartRate, Value: 80, TakenAt: day(5)},
			{Metric: MetricSystolicBP, Value: 120, TakenAt: day(1)},
		},
	}
	if act := c.ActiveProblems(); len(act) != 2 || act[0].Description != "htn" {
		t.Errorf("active problems %+v", act)
	}
	meds := c.CurrentMedications()
	if len(meds) != 2 || meds[0].Drug != "metformin" || meds[0].PrescriptionID != "a" || meds[1].Drug != "omeprazole" {
		t.Errorf("current medications %+v", meds)
	}
	last := c.LastVitals()
	if len(last) != 2 || last[0].Metric != MetricSystolicBP || last[1].Value != 80 {
		t.Errorf("last vitals %+v", last)
	}
	if s := c.Series(MetricHeartRate); len(s) != 2 || s[0].Value != 70 {
		t.Errorf("series %+v", s)
	}
	up := UpcomingFrom([]Appointment{{Start: day(1)}, {Start: day(9), Status: ApptCancelled}, {Start: day(8)}, {Start: day(6)}}, day(3))
	if len(up) != 2 || !up[0].Start.Equal(day(6)) {
		t.Errorf("upcoming %+v", up)
	}
}
