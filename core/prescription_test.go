package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func validPrescription(tb testing.TB) *Prescription {
	tb.Helper()
	return &Prescription{
		Meta:          sampleMeta(10),
		PatientID:     sampleID(1),
		Doctor:        "dr.lee",
		AppointmentID: sampleID(2),
		Medications: []PrescribedDrug{
			{Drug: "amoxicillin", Dose: "500 mg", Route: RouteOral, Frequency: "three times a day", Quantity: 21, RefillsAllowed: 1},
			{Drug: "salbutamol", Dose: "100 mcg", Route: RouteInhaled, Frequency: "as needed", Quantity: 1, RefillsAllowed: 3, RefillsUsed: 2},
		},
		Status:    PrescriptionActive,
		Notes:     "take with food",
		StartDate: "2025-03-14",
		EndDate:   "2025-03-21",
	}
}

func TestPrescriptionValidate(t *testing.T) {
	assertValid(t, validPrescription(t))
	runInvalid(t, validPrescription, []invalidCase[*Prescription]{
		{"no patient", func(p *Prescription) { p.PatientID = "" }, []string{"patient"}},
		{"malformed patient", func(p *Prescription) { p.PatientID = "42" }, []string{"patient"}},
		{"no doctor", func(p *Prescription) { p.Doctor = " " }, []string{"doctor"}},
		{"doctor not a user name", func(p *Prescription) { p.Doctor = "Dr Lee" }, []string{"doctor"}},
		{"malformed appointment", func(p *Prescription) { p.AppointmentID = "xyz" }, []string{"appointment"}},
		{"no medications", func(p *Prescription) { p.Medications = nil }, []string{"medications"}},
		{"too many medications", func(p *Prescription) {
			for len(p.Medications) <= maxPrescribed {
				p.Medications = append(p.Medications, p.Medications[0])
			}
		}, []string{"medications"}},
		{"no drug", func(p *Prescription) { p.Medications[0].Drug = "" }, []string{"medications[0].drug"}},
		{"long drug", func(p *Prescription) { p.Medications[1].Drug = strings.Repeat("x", 201) }, []string{"medications[1].drug"}},
		{"no dose", func(p *Prescription) { p.Medications[1].Dose = "" }, []string{"medications[1].dose"}},
		{"bad route", func(p *Prescription) { p.Medications[0].Route = "nasal" }, []string{"medications[0].route"}},
		{"no frequency", func(p *Prescription) { p.Medications[0].Frequency = "" }, []string{"medications[0].frequency"}},
		{"zero quantity", func(p *Prescription) { p.Medications[0].Quantity = 0 }, []string{"medications[0].quantity"}},
		{"huge quantity", func(p *Prescription) { p.Medications[0].Quantity = maxQuantity + 1 }, []string{"medications[0].quantity"}},
		{"negative refills", func(p *Prescription) { p.Medications[0].RefillsAllowed = -1 }, []string{"medications[0].refills_allowed"}},
		{"refills used beyond allowed", func(p *Prescription) { p.Medications[1].RefillsUsed = 4 }, []string{"medications[1].refills_used"}},
		{"negative refills used", func(p *Prescription) { p.Medications[1].RefillsUsed = -1 }, []string{"medications[1].refills_used"}},
		{"bad status", func(p *Prescription) { p.Status = "paused" }, []string{"status"}},
		{"long notes", func(p *Prescription) { p.Notes = strings.Repeat("n", 2001) }, []string{"notes"}},
		{"no start", func(p *Prescription) { p.StartDate = "" }, []string{"start_date"}},
		{"bad start", func(p *Prescription) { p.StartDate = "14/03/2025" }, []string{"start_date"}},
		{"bad end", func(p *Prescription) { p.EndDate = "2025-02-30" }, []string{"end_date"}},
		{"end before start", func(p *Prescription) { p.EndDate = "2025-03-13" }, []string{"end_date"}},
		{"several at once", func(p *Prescription) {
			p.PatientID, p.Medications[0].Dose, p.Medications[1].Quantity = "", "", -2
		}, []string{"patient", "medications[0].dose", "medications[1].quantity"}},
	})
	t.Run("no end date", func(t *testing.T) {
		p := validPrescription(t)
		p.EndDate = ""
		assertValid(t, p)
	})
	t.Run("no appointment", func(t *testing.T) {
		p := validPrescription(t)
		p.AppointmentID = ""
		assertValid(t, p)
	})
}

func TestPrescriptionStatus(t *testing.T) {
	states := []PrescriptionStatus{PrescriptionActive, PrescriptionCompleted, PrescriptionCancelled}
	assertMachine(t, PrescriptionStatus.CheckTransition, states, map[[2]PrescriptionStatus]bool{
		{PrescriptionActive, PrescriptionCompleted}: true,
		{PrescriptionActive, PrescriptionCancelled}: true,
	})
	assertParse(t, ParsePrescriptionStatus, states)
}

func TestApproveRefill(t *testing.T) {
	t.Run("uses refills until none remain", func(t *testing.T) {
		p := validPrescription(t)
		if err := ApproveRefill(p, 1); err != nil {
			t.Fatalf("third of three refills refused: %v", err)
		}
		if got := p.Medications[1].RefillsUsed; got != 3 {
			t.Fatalf("RefillsUsed = %d, want 3", got)
		}
		assertValid(t, p)
		err := ApproveRefill(p, 1)
		if !errors.Is(err, ErrNoRefills) {
			t.Fatalf("fourth refill gave %v, want ErrNoRefills", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "salbutamol") || !strings.Contains(msg, "no refills remain") {
			t.Errorf("message %q does not name the drug and say none remain", msg)
		}
		if got := p.Medications[1].RefillsUsed; got != 3 {
			t.Errorf("refused refill changed RefillsUsed to %d", got)
		}
	})
	t.Run("no refills allowed", func(t *testing.T) {
		p := validPrescription(t)
		p.Medications[0].RefillsAllowed = 0
		if err := ApproveRefill(p, 0); !errors.Is(err, ErrNoRefills) {
			t.Errorf("got %v, want ErrNoRefills", err)
		}
	})
	for _, st := range []PrescriptionStatus{PrescriptionCompleted, PrescriptionCancelled} {
		t.Run(string(st), func(t *testing.T) {
			p := validPrescription(t)
			p.Status = st
			err := ApproveRefill(p, 0)
			if !errors.Is(err, ErrNotActive) {
				t.Errorf("got %v, want ErrNotActive", err)
			}
			if p.Medications[0].RefillsUsed != 0 {
				t.Error("refused refill changed the prescription")
			}
		})
	}
	for _, i := range []int{-1, 2} {
		t.Run(fmt.Sprintf("index %d", i), func(t *testing.T) {
			if err := ApproveRefill(validPrescription(t), i); !errors.Is(err, ErrInvalid) {
				t.Errorf("index %d gave %v, want ErrInvalid", i, err)
			}
		})
	}
}
