package core

import "regexp"

// Addendum corrects or adds to a Note. Notes are append-only, so an addendum
// is the only way to change what a note says; both stay on the chart.
type Addendum struct {
	Meta
	NoteID    ID     `json:"note_id"`
	PatientID ID     `json:"patient_id"`
	Author    string `json:"author"`
	Text      string `json:"text" text:"multiline"`
}

func init() { register(KindAddendum, func() Entity { return &Addendum{} }) }

// Kind is KindAddendum.
func (*Addendum) Kind() Kind { return KindAddendum }

// Validate checks every field and lists all that are wrong.
func (a *Addendum) Validate() error {
	c := &checker{kind: KindAddendum}
	c.refID("note", a.NoteID, "a note")
	c.refID("patient", a.PatientID, "a patient")
	c.staff("author", a.Author)
	if c.require("text", a.Text) {
		c.maxLen("text", a.Text, 20000)
	}
	c.freeText(a)
	return c.err()
}

// ProblemStatus is whether a problem on the problem list is current.
type ProblemStatus string

// The problem statuses.
const (
	ProblemActive   ProblemStatus = "active"
	ProblemResolved ProblemStatus = "resolved"
)

// problemMachine: active → resolved; resolved → active (a relapse).
var problemMachine = machine[ProblemStatus]{
	kind: KindProblem,
	next: map[ProblemStatus][]ProblemStatus{
		ProblemActive:   {ProblemResolved},
		ProblemResolved: {ProblemActive},
	},
}

// CheckTransition returns nil when a problem may go from s to next, or a
// *TransitionError wrapping ErrTransition.
func (s ProblemStatus) CheckTransition(next ProblemStatus) error {
	return problemMachine.check(s, next)
}

// ParseProblemStatus checks that s names a problem status.
func ParseProblemStatus(s string) (ProblemStatus, error) {
	c := &checker{kind: KindProblem}
	problemMachine.checkState(c, "status", ProblemStatus(s))
	if err := c.err(); err != nil {
		return "", err
	}
	return ProblemStatus(s), nil
}

// icd10 is the shape of an ICD-10 code: a letter, two characters, and an
// optional dot with up to four more. It is deliberately loose: national
// variants differ, and the code is a help for search, not a billing key.
var icd10 = regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$`)

// Problem is an entry on the patient's problem list: a diagnosis or concern,
// optionally coded in ICD-10, with the day it began.
type Problem struct {
	Meta
	PatientID   ID            `json:"patient_id"`
	Description string        `json:"description"`
	Code        string        `json:"code"`
	Onset       Date          `json:"onset"`
	Status      ProblemStatus `json:"status"`
}

func init() { register(KindProblem, func() Entity { return &Problem{} }) }

// Kind is KindProblem.
func (*Problem) Kind() Kind { return KindProblem }

// Validate checks every field and lists all that are wrong.
func (p *Problem) Validate() error {
	c := &checker{kind: KindProblem}
	c.refID("patient", p.PatientID, "a patient")
	if c.require("description", p.Description) {
		c.maxLen("description", p.Description, 500)
	}
	if p.Code != "" && !icd10.MatchString(p.Code) {
		c.add("code", "must look like an ICD-10 code such as J45 or E11.9")
	}
	c.optDay("onset", p.Onset)
	problemMachine.checkState(c, "status", p.Status)
	c.freeText(p)
	return c.err()
}

// Severity is how bad an allergic reaction is.
type Severity string

// The allergy severities, mildest first.
const (
	SeverityMild            Severity = "mild"
	SeverityModerate        Severity = "moderate"
	SeveritySevere          Severity = "severe"
	SeverityLifeThreatening Severity = "life_threatening"
)

// Severities lists every severity, mildest first.
var Severities = []Severity{SeverityMild, SeverityModerate, SeveritySevere, SeverityLifeThreatening}

// Valid reports whether s is one of Severities.
func (s Severity) Valid() bool {
	for _, x := range Severities {
		if x == s {
			return true
		}
	}
	return false
}

// Allergy is a substance the patient reacts to, shown on every screen that
// prescribes. An Allergy with NoneKnown set is the statement "asked: no
// known allergies", which is not the same as never having asked (no
// allergy records at all); it names no substance.
type Allergy struct {
	Meta
	PatientID  ID       `json:"patient_id"`
	Substance  string   `json:"substance"`
	Reaction   string   `json:"reaction"`
	Severity   Severity `json:"severity"`
	RecordedBy string   `json:"recorded_by"`
	NoneKnown  bool     `json:"none_known"`
}

func init() { register(KindAllergy, func() Entity { return &Allergy{} }) }

// Kind is KindAllergy.
func (*Allergy) Kind() Kind { return KindAllergy }

// Validate checks every field and lists all that are wrong.
func (a *Allergy) Validate() error {
	c := &checker{kind: KindAllergy}
	c.refID("patient", a.PatientID, "a patient")
	switch {
	case a.NoneKnown:
		if a.Substance != "" || a.Reaction != "" || a.Severity != "" {
			c.add("substance", "must be empty when no allergies are known")
		}
	default:
		if c.require("substance", a.Substance) {
			c.maxLen("substance", a.Substance, 200)
		}
		c.maxLen("reaction", a.Reaction, 500)
		if !a.Severity.Valid() {
			c.add("severity", "must be one of mild, moderate, severe, life_threatening")
		}
	}
	c.staff("recorded_by", a.RecordedBy)
	c.freeText(a)
	return c.err()
}

// Medication is a drug the patient currently takes (or took), as listed on
// the chart: prescribed here or elsewhere, or bought over the counter.
type Medication struct {
	Meta
	PatientID ID     `json:"patient_id"`
	Drug      string `json:"drug"`
	Dose      string `json:"dose"`
	Frequency string `json:"frequency"`
	Since     Date   `json:"since"`
	Active    bool   `json:"active"`
}

func init() { register(KindMedication, func() Entity { return &Medication{} }) }

// Kind is KindMedication.
func (*Medication) Kind() Kind { return KindMedication }

// Validate checks every field and lists all that are wrong.
func (m *Medication) Validate() error {
	c := &checker{kind: KindMedication}
	c.refID("patient", m.PatientID, "a patient")
	if c.require("drug", m.Drug) {
		c.maxLen("drug", m.Drug, maxDrugNameChars)
	}
	c.maxLen("dose", m.Dose, 100)
	c.maxLen("frequency", m.Frequency, 100)
	c.optDay("since", m.Since)
	c.freeText(m)
	return c.err()
}
