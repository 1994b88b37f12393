package core

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrSafety is returned (wrapped in a *SafetyError) when a prescription
// fails a safety check and no override reason was given.
var ErrSafety = NewError(ClassValidation, "core: prescription fails a safety check")

// Check names a prescribing safety check.
type Check string

// The safety checks, in the order they run.
const (
	CheckFormulary   Check = "formulary"
	CheckAllergy     Check = "allergy"
	CheckDuplicate   Check = "duplicate"
	CheckDose        Check = "dose"
	CheckInteraction Check = "interaction"
)

// Alert is one hit of a safety check on one drug: which check, in words
// for the prescriber, and where the rule comes from.
type Alert struct {
	Check   Check  `json:"check"`
	Drug    string `json:"drug"`
	Message string `json:"message"`
	Source  string `json:"source,omitempty"`
}

// String is "allergy: …".
func (a Alert) String() string { return string(a.Check) + ": " + a.Message }

// SafetyError lists the alerts that block a prescription until the
// prescriber gives a reason to override them.
type SafetyError struct{ Alerts []Alert }

// Error reads "allergy: …; interaction: …".
func (e *SafetyError) Error() string {
	parts := make([]string, len(e.Alerts))
	for i, a := range e.Alerts {
		parts[i] = a.String()
	}
	return "safety check: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is(err, ErrSafety) match.
func (e *SafetyError) Unwrap() error { return ErrSafety }

// ErrorClass is ClassValidation: the prescriber corrects it or overrides.
func (e *SafetyError) ErrorClass() Class { return ClassValidation }

// CheckPrescription runs every safety check on each drug of p against the
// patient's allergies and current medications, and on the drugs of p
// against each other. It returns the alerts, none when p is safe to save.
func (f *Formulary) CheckPrescription(p *Prescription, allergies []Allergy, current []MedLine) []Alert {
	var out []Alert
	for i, d := range p.Medications {
		others := append([]MedLine(nil), current...)
		for j, o := range p.Medications {
			if j < i {
				others = append(others, MedLine{Drug: o.Drug, Dose: o.Dose, Route: o.Route, Frequency: o.Frequency})
			}
		}
		out = append(out, f.CheckDrug(d, allergies, others)...)
	}
	return out
}

// CheckDrug runs the checks on one drug: that it is in the formulary, an
// allergy to it or its class (and cross-reactive classes), the same drug
// or class already taken, the dose against the adult range for the route
// and the day's total, and major interactions with what the patient takes.
func (f *Formulary) CheckDrug(d PrescribedDrug, allergies []Allergy, current []MedLine) []Alert {
	fd, known := f.Drug(d.Drug)
	var out []Alert
	if !known {
		out = append(out, Alert{Check: CheckFormulary, Drug: d.Drug, Message: d.Drug + " is not in the formulary, so its class, dose and interactions cannot be checked"})
	}
	out = append(out, f.allergyAlerts(d.Drug, fd, allergies)...)
	out = append(out, f.duplicateAlerts(d.Drug, fd, current)...)
	if known {
		out = append(out, doseAlerts(d, fd)...)
		out = append(out, f.interactionAlerts(fd, current)...)
	}
	return out
}

// allergyAlerts matches each recorded allergy against the drug: the drug
// itself, its allergy classes, and the classes that cross-react.
func (f *Formulary) allergyAlerts(name string, fd *FormularyDrug, allergies []Allergy) []Alert {
	var out []Alert
	_, listed := AllergyStateOf(allergies)
	for _, a := range listed {
		what := fmt.Sprintf("%s allergy (%s", a.Substance, strings.ReplaceAll(string(a.Severity), "_", "-"))
		if a.Reaction != "" {
			what += ": " + a.Reaction
		}
		what += ")"
		if drugKey(a.Substance) == drugKey(name) {
			out = append(out, Alert{Check: CheckAllergy, Drug: name, Message: fmt.Sprintf("%s recorded; %s is that drug", what, name)})
			continue
		}
		if fd == nil {
			continue
		}
		mine := f.allergyClasses(fd)
		if hit := intersect(f.substanceClasses(a.Substance), mine); hit != "" {
			out = append(out, Alert{Check: CheckAllergy, Drug: name, Message: fmt.Sprintf("%s recorded; %s is in the class %s", what, name, hit)})
			continue
		}
		for _, c := range f.substanceClasses(a.Substance) {
			if hit := intersect(f.classes[c].Cross, mine); hit != "" {
				out = append(out, Alert{Check: CheckAllergy, Drug: name, Message: fmt.Sprintf("%s recorded; %s is in the class %s, which cross-reacts with %s: %s", what, name, hit, c, f.classes[c].Note), Source: "allergy classes of the formulary"})
				break
			}
		}
	}
	return out
}

// substanceClasses are the allergy classes a recorded substance stands
// for: the class it names ("penicillins", "sulfa"), or the classes of the
// drug it names.
func (f *Formulary) substanceClasses(substance string) []string {
	key := drugKey(substance)
	if c, ok := f.alias[key]; ok {
		return []string{c}
	}
	if d, ok := f.drugs[key]; ok {
		return f.allergyClasses(d)
	}
	return nil
}

// intersect is the first of want that is also in have, or "".
func intersect(want, have []string) string {
	for _, w := range want {
		for _, h := range have {
			if w == h {
				return w
			}
		}
	}
	return ""
}

// duplicateAlerts finds the same drug, or another of the same therapeutic
// class, among the current medications. ATC groups whose code ends in X
// are "other …" collections, not classes, and never count as duplicates.
func (f *Formulary) duplicateAlerts(name string, fd *FormularyDrug, current []MedLine) []Alert {
	var out []Alert
	for _, m := range current {
		if drugKey(m.Drug) == drugKey(name) {
			out = append(out, Alert{Check: CheckDuplicate, Drug: name, Message: fmt.Sprintf("the patient already takes %s (%s)", m.Drug, strings.TrimSpace(m.Dose+" "+m.Frequency))})
			continue
		}
		other, ok := f.Drug(m.Drug)
		if fd == nil || !ok || len(fd.ATC) < 5 || len(other.ATC) < 5 || fd.ATC[4] == 'X' {
			continue
		}
		if fd.ATC[:5] == other.ATC[:5] {
			out = append(out, Alert{Check: CheckDuplicate, Drug: name, Message: fmt.Sprintf("%s and %s, which the patient already takes, are both %s", name, m.Drug, f.Class(fd)), Source: "WHO ATC classification"})
		}
	}
	return out
}

// interactionAlerts lists the major interactions of the drug with each
// current medication: for each pair, the first rule of the file at each
// severity, so warfarin with ibuprofen is one alert, not one per group the
// two share.
func (f *Formulary) interactionAlerts(fd *FormularyDrug, current []MedLine) []Alert {
	mine := tagsOf(fd)
	var out []Alert
	for _, m := range current {
		other, ok := f.Drug(m.Drug)
		if !ok || other == fd {
			continue
		}
		theirs := tagsOf(other)
		var hits []*Interaction
		for tag := range mine {
			for _, in := range f.byTag[tag] {
				if (mine[in.A] && theirs[in.B]) || (mine[in.B] && theirs[in.A]) {
					hits = append(hits, in)
				}
			}
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].idx < hits[j].idx })
		said := map[string]bool{}
		for _, in := range hits {
			if said[in.Severity] {
				continue
			}
			said[in.Severity] = true
			out = append(out, Alert{Check: CheckInteraction, Drug: fd.Generic, Message: fmt.Sprintf("%s with %s (%s): %s", fd.Generic, other.Generic, in.Severity, in.Effect), Source: in.Source})
		}
	}
	return out
}

// tagsOf is the set of interaction sides a drug matches.
func tagsOf(d *FormularyDrug) map[string]bool {
	tags := map[string]bool{"drug:" + drugKey(d.Generic): true}
	for _, g := range d.Groups {
		tags["group:"+g] = true
	}
	return tags
}

// doseAlerts checks the dose against the adult range for the route, and
// the day's total when the frequency says how many doses a day.
func doseAlerts(d PrescribedDrug, fd *FormularyDrug) []Alert {
	var r *DoseRange
	var routes []string
	for i := range fd.Doses {
		routes = append(routes, string(fd.Doses[i].Route))
		if fd.Doses[i].Route == d.Route {
			r = &fd.Doses[i]
		}
	}
	alert := func(msg string) []Alert {
		return []Alert{{Check: CheckDose, Drug: d.Drug, Message: msg, Source: "adult dose ranges of the formulary"}}
	}
	if r == nil {
		return alert(fmt.Sprintf("the formulary has no adult dose of %s by the %s route (only %s)", fd.Generic, d.Route, strings.Join(routes, ", ")))
	}
	amount, unit, ok := ParseDose(d.Dose)
	if !ok {
		return alert(fmt.Sprintf("dose %q is not an amount with a unit, such as 500 mg", d.Dose))
	}
	v, ok := convertDose(amount, unit, r.Unit)
	if !ok {
		return alert(fmt.Sprintf("dose %q is in %s; the adult range of %s is in %s", d.Dose, unit, fd.Generic, r.Unit))
	}
	rng := fmt.Sprintf("%s to %s %s", num(r.Min), num(r.Max), r.Unit)
	switch {
	case v > r.Max*1.0001:
		return alert(fmt.Sprintf("%s %s is above the usual adult dose of %s by the %s route (%s)", num(amount), unit, fd.Generic, r.Route, rng))
	case v < r.Min*0.9999:
		return alert(fmt.Sprintf("%s %s is below the usual adult dose of %s by the %s route (%s)", num(amount), unit, fd.Generic, r.Route, rng))
	}
	if n, ok := DosesPerDay(d.Frequency); ok && v*n > r.MaxDaily*1.0001 {
		return alert(fmt.Sprintf("%s %s %s is %s %s a day, above the adult maximum of %s %s a day", num(amount), unit, d.Frequency, num(v*n), r.Unit, num(r.MaxDaily), r.Unit))
	}
	return nil
}

// doseRe is an amount and a unit: "500 mg", "0.5g", "1,000 units".
var doseRe = regexp.MustCompile(`^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Zµμ]+)\s*$`)

// ParseDose reads a dose such as "500 mg" into its amount and unit (lower
// case, "mcg" for µg, "units" for IU).
func ParseDose(s string) (float64, string, bool) {
	m := doseRe.FindStringSubmatch(strings.ReplaceAll(s, "1,000", "1000"))
	if m == nil {
		return 0, "", false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	if err != nil || v <= 0 {
		return 0, "", false
	}
	unit := strings.ToLower(m[2])
	switch unit {
	case "µg", "μg", "ug", "microgram", "micrograms":
		unit = "mcg"
	case "milligram", "milligrams", "mgs":
		unit = "mg"
	case "gram", "grams", "gm":
		unit = "g"
	case "iu", "unit", "u":
		unit = "units"
	case "millilitre", "millilitres", "milliliter", "milliliters", "mls":
		unit = "ml"
	}
	return v, unit, true
}

// massInMg is how many mg one of each mass unit is.
var massInMg = map[string]float64{"g": 1000, "mg": 1, "mcg": 0.001}

// convertDose expresses v in unit from in unit to, for units of the same
// kind.
func convertDose(v float64, from, to string) (float64, bool) {
	if from == to {
		return v, true
	}
	a, okA := massInMg[from]
	b, okB := massInMg[to]
	if !okA || !okB {
		return 0, false
	}
	return v * a / b, true
}

// frequencyWords are the common ways a frequency is written, with the
// doses a day they mean.
var frequencyWords = map[string]float64{
	"once a day": 1, "once daily": 1, "daily": 1, "od": 1, "qd": 1, "every morning": 1, "at night": 1, "nocte": 1, "mane": 1, "once": 1,
	"twice a day": 2, "twice daily": 2, "bd": 2, "bid": 2,
	"three times a day": 3, "tds": 3, "tid": 3,
	"four times a day": 4, "qds": 4, "qid": 4,
	"once a week": 1.0 / 7, "weekly": 1.0 / 7,
}

var (
	timesRe = regexp.MustCompile(`^([0-9]+) times? (?:a|per) day$`)
	everyRe = regexp.MustCompile(`^every ([0-9]+) hours?$`)
)

// DosesPerDay reads how many doses a day a frequency means ("3 times a
// day" is 3, "every 8 hours" is 3); "as needed" and the unknown say
// nothing.
func DosesPerDay(freq string) (float64, bool) {
	f := drugKey(freq)
	if n, ok := frequencyWords[f]; ok {
		return n, true
	}
	if m := timesRe.FindStringSubmatch(f); m != nil {
		n, _ := strconv.Atoi(m[1])
		return float64(n), n > 0
	}
	if m := everyRe.FindStringSubmatch(f); m != nil {
		h, _ := strconv.Atoi(m[1])
		if h > 0 && h <= 24 {
			return 24 / float64(h), true
		}
	}
	return 0, false
}
