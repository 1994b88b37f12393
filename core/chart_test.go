package core

import (
	"strings"
	"testing"
)

func validAddendum(tb testing.TB) *Addendum {
	tb.Helper()
	return &Addendum{Meta: sampleMeta(20), NoteID: sampleID(3), PatientID: sampleID(1), Author: "dr.lee", Text: "Correction: cough for 5 days, not 3."}
}

func validProblem(tb testing.TB) *Problem {
	tb.Helper()
	return &Problem{Meta: sampleMeta(21), PatientID: sampleID(1), Description: "Asthma", Code: "J45.909", Onset: "2010-06-01", Status: ProblemActive}
}

func validAllergy(tb testing.TB) *Allergy {
	tb.Helper()
	return &Allergy{Meta: sampleMeta(22), PatientID: sampleID(1), Substance: "penicillin", Reaction: "hives", Severity: SeveritySevere, RecordedBy: "nurse.kim"}
}

func validMedication(tb testing.TB) *Medication {
	tb.Helper()
	return &Medication{Meta: sampleMeta(23), PatientID: sampleID(1), Drug: "metformin", Dose: "500 mg", Frequency: "twice a day", Since: "2022-01-10", Active: true}
}

func TestAddendumValidate(t *testing.T) {
	assertValid(t, validAddendum(t))
	runInvalid(t, validAddendum, []invalidCase[*Addendum]{
		{"no note", func(a *Addendum) { a.NoteID = "" }, []string{"note"}},
		{"malformed note", func(a *Addendum) { a.NoteID = sampleID(3) + "0" }, []string{"note"}},
		{"no patient", func(a *Addendum) { a.PatientID = "" }, []string{"patient"}},
		{"no author", func(a *Addendum) { a.Author = "" }, []string{"author"}},
		{"no text", func(a *Addendum) { a.Text = "  " }, []string{"text"}},
		{"long text", func(a *Addendum) { a.Text = strings.Repeat("x", 20001) }, []string{"text"}},
	})
}

func TestProblemValidate(t *testing.T) {
	assertValid(t, validProblem(t))
	for _, code := range []string{"", "J45", "E11.9", "S72.001A", "U07.1"} {
		t.Run("code "+code, func(t *testing.T) {
			p := validProblem(t)
			p.Code = code
			assertValid(t, p)
		})
	}
	runInvalid(t, validProblem, []invalidCase[*Problem]{
		{"no patient", func(p *Problem) { p.PatientID = "" }, []string{"patient"}},
		{"no description", func(p *Problem) { p.Description = "" }, []string{"description"}},
		{"long description", func(p *Problem) { p.Description = strings.Repeat("x", 501) }, []string{"description"}},
		{"code lower case", func(p *Problem) { p.Code = "j45" }, []string{"code"}},
		{"code not ICD-10", func(p *Problem) { p.Code = "asthma" }, []string{"code"}},
		{"code with long suffix", func(p *Problem) { p.Code = "J45.90912" }, []string{"code"}},
		{"bad onset", func(p *Problem) { p.Onset = "June 2010" }, []string{"onset"}},
		{"bad status", func(p *Problem) { p.Status = "chronic" }, []string{"status"}},
	})
}

func TestProblemStatus(t *testing.T) {
	states := []ProblemStatus{ProblemActive, ProblemResolved}
	assertMachine(t, ProblemStatus.CheckTransition, states, map[[2]ProblemStatus]bool{
		{ProblemActive, ProblemResolved}: true,
		{ProblemResolved, ProblemActive}: true,
	})
	assertParse(t, ParseProblemStatus, states)
}

func TestAllergyValidate(t *testing.T) {
	assertValid(t, validAllergy(t))
	for _, s := range Severities {
		t.Run(string(s), func(t *testing.T) {
			a := validAllergy(t)
			a.Severity = s
			assertValid(t, a)
		})
	}
	runInvalid(t, validAllergy, []invalidCase[*Allergy]{
		{"no patient", func(a *Allergy) { a.PatientID = "" }, []string{"patient"}},
		{"no substance", func(a *Allergy) { a.Substance = "" }, []string{"substance"}},
		{"long substance", func(a *Allergy) { a.Substance = strings.Repeat("x", 201) }, []string{"substance"}},
		{"long reaction", func(a *Allergy) { a.Reaction = strings.Repeat("x", 501) }, []string{"reaction"}},
		{"no severity", func(a *Allergy) { a.Severity = "" }, []string{"severity"}},
		{"bad severity", func(a *Allergy) { a.Severity = "deadly" }, []string{"severity"}},
		{"no recorder", func(a *Allergy) { a.RecordedBy = "" }, []string{"recorded_by"}},
	})
}

func TestMedicationValidate(t *testing.T) {
	assertValid(t, validMedication(t))
	t.Run("only a drug", func(t *testing.T) {
		assertValid(t, &Medication{PatientID: sampleID(1), Drug: "aspirin"})
	})
	runInvalid(t, validMedication, []invalidCase[*Medication]{
		{"no patient", func(m *Medication) { m.PatientID = "" }, []string{"patient"}},
		{"no drug", func(m *Medication) { m.Drug = "" }, []string{"drug"}},
		{"long dose", func(m *Medication) { m.Dose = strings.Repeat("x", 101) }, []string{"dose"}},
		{"long frequency", func(m *Medication) { m.Frequency = strings.Repeat("x", 101) }, []string{"frequency"}},
		{"bad since", func(m *Medication) { m.Since = "2022-13-01" }, []string{"since"}},
	})
}
