package store

import (
	"errors"
	"strings"
	"testing"

	"medisecure/core"
)

// amoxicillin is a week of amoxicillin for patient.
func amoxicillin(patient core.ID) core.Prescription {
	return core.Prescription{PatientID: patient, Medications: []core.PrescribedDrug{{
		Drug: "amoxicillin", Dose: "500 mg", Route: core.RouteOral, Frequency: "3 times a day", Quantity: 21, RefillsAllowed: 1,
	}}}
}

func TestPrescribeChecksAndOverride(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	_, err := nurse.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "penicillin", Reaction: "anaphylaxis", Severity: core.SeverityLifeThreatening})
	must(t, err)
	if _, err := nurse.Prescribe(amoxicillin(p.ID), ""); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("nurse prescribes: %v, want ErrDenied", err)
	}
	_, err = f.doctor.Prescribe(amoxicillin(p.ID), "")
	var se *core.SafetyError
	if !errors.As(err, &se) || len(se.Alerts) != 1 || se.Alerts[0].Check != core.CheckAllergy || !strings.Contains(se.Alerts[0].Message, "class penicillins") {
		t.Fatalf("prescribe amoxicillin to a penicillin-allergic patient: %v", err)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Prescriptions) != 0 {
		t.Fatalf("a blocked prescription was saved: %+v", c.Prescriptions)
	}
	rx, err := f.doctor.Prescribe(amoxicillin(p.ID), "  tolerated amoxicillin in 2024 under observation ")
	must(t, err)
	if rx.Override != "tolerated amoxicillin in 2024 under observation" || len(rx.Alerts) != 1 || rx.Doctor != "drwho" || rx.Status != core.PrescriptionActive || rx.StartDate != "2026-11-26" {
		t.Fatalf("overridden prescription %+v", rx)
	}
	// The same drug again is a duplicate; a clean drug needs no override.
	if _, err := f.doctor.Prescribe(amoxicillin(p.ID), ""); !errors.As(err, &se) || se.Alerts[len(se.Alerts)-1].Check != core.CheckDuplicate {
		t.Fatalf("amoxicillin twice: %v", err)
	}
	clean := core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60}}}
	if _, err := f.doctor.Prescribe(clean, "because"); !errors.Is(err, ErrNoOverride) {
		t.Fatalf("override with nothing to override: %v, want ErrNoOverride", err)
	}
	met, err := f.doctor.Prescribe(clean, "")
	must(t, err)
	f.reopen(t)
	c, err = f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Prescriptions) != 2 || len(c.CurrentMedications()) != 2 {
		t.Fatalf("after reopen: %+v", c.Prescriptions)
	}
	for _, got := range c.Prescriptions {
		if got.ID == rx.ID && (got.Override == "" || len(got.Alerts) != 1) {
			t.Fatalf("the override was not kept: %+v", got)
		}
	}
	if _, err := f.doctor.CancelPrescription(met.ID, " "); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("cancel without a reason: %v, want ErrInvalid", err)
	}
	if _, err := f.doctor.CancelPrescription(met.ID, "stopped: diarrhoea"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.doctor.CancelPrescription(met.ID, "again"); !errors.Is(err, core.ErrTransition) {
		t.Fatalf("cancel twice: %v, want ErrTransition", err)
	}
	c, err = f.doctor.Chart(p.ID, "test")
	must(t, err)
	if meds := c.CurrentMedications(); len(meds) != 1 || meds[0].Drug != "amoxicillin" {
		t.Fatalf("current medications after cancelling metformin: %+v", meds)
	}
}
