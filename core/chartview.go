package core

import (
	"sort"
	"time"
)

// AllergyState says what is known about a patient's allergies. "Not asked"
// and "no known allergies" are different facts, and a prescriber must see
// which one holds.
type AllergyState int

// The allergy states.
const (
	// AllergiesNotAsked: no allergy was recorded and nobody recorded that
	// there are none.
	AllergiesNotAsked AllergyState = iota
	// AllergiesNoneKnown: someone asked and recorded "no known allergies".
	AllergiesNoneKnown
	// AllergiesListed: at least one allergy is recorded.
	AllergiesListed
)

// String is the state in words for a screen or a table.
func (s AllergyState) String() string {
	switch s {
	case AllergiesNoneKnown:
		return "no known allergies"
	case AllergiesListed:
		return "allergies recorded"
	}
	return "allergies not asked"
}

// Chart is everything the clinic holds about one patient's care, as one
// read returns it: the summary a clinician sees first is computed from it
// (AllergyState, ActiveProblems, CurrentMedications, LastVitals), never
// stored.
type Chart struct {
	Patient       Patient        `json:"patient"`
	Allergies     []Allergy      `json:"allergies"`
	Problems      []Problem      `json:"problems"`
	Medications   []Medication   `json:"medications"`
	Prescriptions []Prescription `json:"prescriptions"`
	Notes         []Note         `json:"notes"`
	// Drafts are the reader's own notes not signed yet.
	Drafts    []NoteDraft `json:"drafts"`
	Addenda   []Addendum  `json:"addenda"`
	Vitals    []Vital     `json:"vitals"`
	Refills   []Refill    `json:"refills"`
	Reminders []Reminder  `json:"reminders"`
	Adherence []Adherence `json:"adherence"`
	// Upcoming are the patient's appointments from now on, soonest first.
	Upcoming []Appointment `json:"upcoming"`
}

// AllergyState is what is known about the patient's allergies, and the
// allergies recorded (never the "none known" statement).
func (c Chart) AllergyState() (AllergyState, []Allergy) {
	return AllergyStateOf(c.Allergies)
}

// AllergyStateOf is AllergyState over a list of allergy records.
func AllergyStateOf(all []Allergy) (AllergyState, []Allergy) {
	var listed []Allergy
	none := false
	for _, a := range all {
		switch {
		case a.Deleted:
		case a.NoneKnown:
			none = true
		default:
			listed = append(listed, a)
		}
	}
	switch {
	case len(listed) > 0:
		return AllergiesListed, listed
	case none:
		return AllergiesNoneKnown, nil
	}
	return AllergiesNotAsked, nil
}

// ActiveProblems are the problems still active, most recent onset first.
func (c Chart) ActiveProblems() []Problem {
	var out []Problem
	for _, p := range c.Problems {
		if p.Status == ProblemActive && !p.Deleted {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Onset > out[j].Onset })
	return out
}

// MedLine is one drug the patient takes now, from the medication list or an
// active prescription.
type MedLine struct {
	Drug      string `json:"drug"`
	Dose      string `json:"dose"`
	Route     Route  `json:"route"`
	Frequency string `json:"frequency"`
	// Since is the day the patient started it.
	Since Date `json:"since"`
	// PrescriptionID is set when it comes from a prescription here.
	PrescriptionID ID `json:"prescription_id"`
}

// CurrentMedications lists every drug of an active prescription, then the
// active entries of the medication list (taken from elsewhere), the
// prescriptions newest first.
func (c Chart) CurrentMedications() []MedLine {
	return CurrentMedications(c.Prescriptions, c.Medications)
}

// CurrentMedications is Chart.CurrentMedications over lists.
func CurrentMedications(rx []Prescription, meds []Medication) []MedLine {
	var out []MedLine
	sorted := append([]Prescription(nil), rx...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].StartDate > sorted[j].StartDate })
	for _, p := range sorted {
		if p.Status != PrescriptionActive || p.Deleted {
			continue
		}
		for _, d := range p.Medications {
			out = append(out, MedLine{Drug: d.Drug, Dose: d.Dose, Route: d.Route, Frequency: d.Frequency, Since: p.StartDate, PrescriptionID: p.ID})
		}
	}
	for _, m := range meds {
		if m.Active && !m.Deleted {
			out = append(out, MedLine{Drug: m.Drug, Dose: m.Dose, Frequency: m.Frequency, Since: m.Since})
		}
	}
	return out
}

// LastVitals is the newest reading of each metric, in the order of Metrics;
// metrics never measured are left out.
func (c Chart) LastVitals() []Vital {
	latest := map[Metric]Vital{}
	for _, v := range c.Vitals {
		if cur, ok := latest[v.Metric]; !ok || v.TakenAt.After(cur.TakenAt) {
			latest[v.Metric] = v
		}
	}
	var out []Vital
	for _, m := range Metrics {
		if v, ok := latest[m]; ok {
			out = append(out, v)
		}
	}
	return out
}

// Series is the readings of one metric, oldest first, for a trend.
func (c Chart) Series(m Metric) []Vital {
	var out []Vital
	for _, v := range c.Vitals {
		if v.Metric == m {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TakenAt.Before(out[j].TakenAt) })
	return out
}

// AddendaOf are the addenda of one note, oldest first.
func (c Chart) AddendaOf(note ID) []Addendum {
	var out []Addendum
	for _, a := range c.Addenda {
		if a.NoteID == note {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// UpcomingFrom keeps the appointments that start at or after now and are
// not cancelled, soonest first.
func UpcomingFrom(appts []Appointment, now time.Time) []Appointment {
	var out []Appointment
	for _, a := range appts {
		if !a.Start.Before(now) && a.Status != ApptCancelled && !a.Deleted {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
