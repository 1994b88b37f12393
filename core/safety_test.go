package core

import (
	"errors"
	"strings"
	"testing"
)

// rx is one prescribed line for the checks.
func rx(drug, dose string, route Route, freq string) PrescribedDrug {
	return PrescribedDrug{Drug: drug, Dose: dose, Route: route, Frequency: freq, Quantity: 21}
}

func allergy(substance string) Allergy {
	return Allergy{Substance: substance, Severity: SeveritySevere, Reaction: "hives"}
}

func TestSafetyChecks(t *testing.T) {
	f := mustFormulary(t)
	amox := rx("amoxicillin", "500 mg", RouteOral, "3 times a day")
	for _, tc := range []struct {
		name      string
		drug      PrescribedDrug
		allergies []Allergy
		current   []MedLine
		want      []Check
		says      string
	}{
		{"safe", amox, nil, nil, nil, ""},
		{"no known allergies", amox, []Allergy{{NoneKnown: true}}, nil, nil, ""},
		{"allergy to the drug itself", amox, []Allergy{allergy("Amoxicillin")}, nil, []Check{CheckAllergy}, "Amoxicillin allergy (severe: hives) recorded; amoxicillin is that drug"},
		{"allergy to the class by name", amox, []Allergy{allergy("penicillin")}, nil, []Check{CheckAllergy}, "penicillin allergy (severe: hives) recorded; amoxicillin is in the class penicillins"},
		{"allergy to another drug of the class", rx("flucloxacillin", "500 mg", RouteOral, "4 times a day"), []Allergy{allergy("amoxicillin")}, nil, []Check{CheckAllergy}, "in the class penicillins"},
		{"penicillin cross-reacts with cephalosporins", rx("cefalexin", "500 mg", RouteOral, "twice a day"), []Allergy{allergy("penicillins")}, nil, []Check{CheckAllergy}, "cefalexin is in the class cephalosporins, which cross-reacts with penicillins"},
		{"cephalosporin cross-reacts with penicillins", amox, []Allergy{allergy("ceftriaxone")}, nil, []Check{CheckAllergy}, "cross-reacts with cephalosporins"},
		{"sulfa allergy and co-trimoxazole", rx("sulfamethoxazole-trimethoprim", "960 mg", RouteOral, "twice a day"), []Allergy{allergy("sulfa")}, nil, []Check{CheckAllergy}, "in the class sulfonamides"},
		{"sulfa allergy cross-reacts with furosemide", rx("furosemide", "40 mg", RouteOral, "once a day"), []Allergy{allergy("sulfonamides")}, nil, []Check{CheckAllergy}, "cross-reacts with sulfonamides"},
		{"aspirin allergy and ibuprofen", rx("ibuprofen", "400 mg", RouteOral, "3 times a day"), []Allergy{allergy("aspirin")}, nil, []Check{CheckAllergy}, "in the class nsaids"},
		{"nsaid allergy and paracetamol", rx("paracetamol", "1 g", RouteOral, "4 times a day"), []Allergy{allergy("NSAIDs")}, nil, nil, ""},
		{"removed allergy", amox, []Allergy{{Substance: "penicillin", Severity: SeveritySevere, Meta: Meta{Deleted: true}}}, nil, nil, ""},
		{"unrelated allergy", amox, []Allergy{allergy("shellfish")}, nil, nil, ""},
		{"same drug already taken", amox, nil, []MedLine{{Drug: "amoxicillin", Dose: "250 mg"}}, []Check{CheckDuplicate}, "already takes amoxicillin"},
		{"same class already taken", rx("ramipril", "5 mg", RouteOral, "once a day"), nil, []MedLine{{Drug: "lisinopril", Dose: "10 mg"}}, []Check{CheckDuplicate}, "ramipril and lisinopril, which the patient already takes, are both ACE inhibitors"},
		{"other-group codes are no class", rx("gabapentin", "300 mg", RouteOral, "3 times a day"), nil, []MedLine{{Drug: "levetiracetam"}}, nil, ""},
		{"dose above range", rx("amoxicillin", "5 g", RouteOral, "3 times a day"), nil, nil, []Check{CheckDose}, "5 g is above the usual adult dose of amoxicillin by the oral route (250 to 1000 mg)"},
		{"dose below range", rx("sertraline", "5 mg", RouteOral, "once a day"), nil, nil, []Check{CheckDose}, "below the usual adult dose"},
		{"daily total above maximum", rx("paracetamol", "1 g", RouteOral, "every 4 hours"), nil, nil, []Check{CheckDose}, "6000 mg a day, above the adult maximum of 4000 mg a day"},
		{"unit of another kind", rx("amoxicillin", "5 ml", RouteOral, "3 times a day"), nil, nil, []Check{CheckDose}, "is in ml"},
		{"route without a range", rx("sertraline", "50 mg", RouteIV, "once a day"), nil, nil, []Check{CheckDose}, "no adult dose of sertraline by the iv route (only oral)"},
		{"dose not an amount", rx("amoxicillin", "one capsule", RouteOral, "3 times a day"), nil, nil, []Check{CheckDose}, "not an amount"},
		{"mcg against mg", rx("levothyroxine", "0.1 mg", RouteOral, "once a day"), nil, nil, nil, ""},
		{"warfarin and an NSAID", rx("ibuprofen", "400 mg", RouteOral, "3 times a day"), nil, []MedLine{{Drug: "warfarin", Dose: "5 mg"}}, []Check{CheckInteraction}, "ibuprofen with warfarin (major): bleeding"},
		{"warfarin prescribed to a patient on naproxen", rx("warfarin", "5 mg", RouteOral, "once a day"), nil, []MedLine{{Drug: "naproxen"}}, []Check{CheckInteraction}, "warfarin with naproxen (major)"},
		{"SSRI and MAOI", rx("sertraline", "50 mg", RouteOral, "once a day"), nil, []MedLine{{Drug: "phenelzine"}}, []Check{CheckInteraction}, "(contraindicated): serotonin syndrome"},
		{"simvastatin and clarithromycin", rx("clarithromycin", "500 mg", RouteOral, "twice a day"), nil, []MedLine{{Drug: "simvastatin"}}, []Check{CheckInteraction}, "rhabdomyolysis"},
		{"sildenafil and a nitrate", rx("sildenafil", "50 mg", RouteOral, "once a day"), nil, []MedLine{{Drug: "isosorbide mononitrate"}}, []Check{CheckInteraction}, "severe hypotension"},
		{"two QT drugs", rx("citalopram", "20 mg", RouteOral, "once a day"), nil, []MedLine{{Drug: "methadone"}}, []Check{CheckInteraction}, "QT prolongation"},
		{"not in the formulary", rx("unobtainium", "5 mg", RouteOral, "once a day"), nil, nil, []Check{CheckFormulary}, "not in the formulary"},
		{"not in the formulary, allergy by name", rx("Unobtainium", "5 mg", RouteOral, "once a day"), []Allergy{allergy("unobtainium")}, nil, []Check{CheckFormulary, CheckAllergy}, "that drug"},
		{"every check at once", rx("ibuprofen", "2 g", RouteOral, "3 times a day"), []Allergy{allergy("aspirin")}, []MedLine{{Drug: "naproxen"}, {Drug: "warfarin"}},
			[]Check{CheckAllergy, CheckDuplicate, CheckDose, CheckInteraction}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.CheckDrug(tc.drug, tc.allergies, tc.current)
			var checks []Check
			seen := map[Check]bool{}
			for _, a := range got {
				if !seen[a.Check] {
					checks = append(checks, a.Check)
					seen[a.Check] = true
				}
			}
			if strings.Join(toStrings(checks), ",") != strings.Join(toStrings(tc.want), ",") {
				t.Fatalf("checks %v, want %v: %+v", checks, tc.want, got)
			}
			if tc.says != "" && !strings.Contains(alertText(got), tc.says) {
				t.Fatalf("alerts say %q, want %q in them", alertText(got), tc.says)
			}
		})
	}
}

func toStrings(cs []Check) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func alertText(as []Alert) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, "; ")
}

func TestCheckPrescriptionChecksItsDrugsAgainstEachOther(t *testing.T) {
	f := mustFormulary(t)
	p := &Prescription{Medications: []PrescribedDrug{rx("warfarin", "5 mg", RouteOral, "once a day"), rx("ibuprofen", "400 mg", RouteOral, "3 times a day")}}
	got := f.CheckPrescription(p, nil, nil)
	if len(got) != 1 || got[0].Check != CheckInteraction {
		t.Fatalf("alerts %+v, want the warfarin-ibuprofen interaction", got)
	}
}

func TestSafetyError(t *testing.T) {
	err := error(&SafetyError{Alerts: []Alert{{Check: CheckAllergy, Message: "penicillin allergy"}}})
	if !errors.Is(err, ErrSafety) || ClassOf(err) != ClassValidation || ClassOf(err).Exit() != 3 {
		t.Fatalf("%v: not a validation failure", err)
	}
	if msg, code := Describe(err, nil); code != 3 || !strings.Contains(msg, "Safety check: allergy: penicillin allergy") {
		t.Fatalf("Describe: %q %d", msg, code)
	}
}
