package core

import (
	"strings"
	"testing"
)

func mustFormulary(tb testing.TB) *Formulary {
	tb.Helper()
	f, err := DefaultFormulary()
	if err != nil {
		tb.Fatalf("the shipped formulary does not parse: %v", err)
	}
	return f
}

func TestShippedFormulary(t *testing.T) {
	f := mustFormulary(t)
	if f.Len() < 200 {
		t.Errorf("%d drugs, want at least 200", f.Len())
	}
	if len(f.Sources) < 3 {
		t.Errorf("sources %v: the file must name where its data comes from", f.Sources)
	}
	for _, name := range f.Names() {
		d, _ := f.Drug(name)
		if len(d.ATC) != 7 {
			t.Errorf("%s: ATC code %q is not 7 characters", name, d.ATC)
		}
		if f.Class(d) == "" {
			t.Errorf("%s: no class name for ATC group %s", name, d.ATC[:5])
		}
		if len(d.Doses) == 0 {
			t.Errorf("%s: no adult dose range", name)
		}
	}
	for _, c := range []string{"penicillins", "cephalosporins", "carbapenems", "sulfonamides", "nsaids", "macrolides", "fluoroquinolones", "opioids"} {
		if f.classes[c] == nil {
			t.Errorf("no allergy class %s", c)
		}
	}
	if len(f.byTag) < 30 {
		t.Errorf("only %d interaction sides", len(f.byTag))
	}
}

func TestParseFormularyRefusesBrokenFiles(t *testing.T) {
	for name, raw := range map[string]string{
		"not json":            `{`,
		"duplicate drug":      `{"drugs":[{"generic":"a","atc":"A01AA01","doses":[]},{"generic":"A","atc":"A01AA01","doses":[]}]}`,
		"bad route":           `{"drugs":[{"generic":"a","atc":"A01AA01","doses":[{"route":"ear","unit":"mg","min":1,"max":2,"max_daily":2}]}]}`,
		"range upside down":   `{"drugs":[{"generic":"a","atc":"A01AA01","doses":[{"route":"oral","unit":"mg","min":5,"max":2,"max_daily":2}]}]}`,
		"interaction unknown": `{"drugs":[{"generic":"a","atc":"A01AA01","doses":[]}],"interactions":[{"a":"drug:a","b":"group:nope"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseFormulary([]byte(raw)); err == nil || !strings.HasPrefix(err.Error(), "core: ") {
				t.Fatalf("parsed a broken formulary: %v", err)
			}
		})
	}
}

func TestParseDoseAndFrequency(t *testing.T) {
	for _, tc := range []struct {
		in   string
		v    float64
		unit string
		ok   bool
	}{
		{"500 mg", 500, "mg", true}, {"0.5g", 0.5, "g", true}, {"1,000 units", 1000, "units", true},
		{"100 µg", 100, "mcg", true}, {"2,5 mg", 2.5, "mg", true}, {"two tablets", 0, "", false}, {"500", 0, "", false}, {"0 mg", 0, "", false},
	} {
		v, unit, ok := ParseDose(tc.in)
		if v != tc.v || unit != tc.unit || ok != tc.ok {
			t.Errorf("ParseDose(%q) = %v %q %v, want %v %q %v", tc.in, v, unit, ok, tc.v, tc.unit, tc.ok)
		}
	}
	for in, want := range map[string]float64{"3 times a day": 3, "Twice a day": 2, "every 8 hours": 3, "tds": 3, "once a week": 1.0 / 7, "1 time per day": 1} {
		if got, ok := DosesPerDay(in); !ok || got != want {
			t.Errorf("DosesPerDay(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"as needed", "every 0 hours", "sometimes"} {
		if _, ok := DosesPerDay(in); ok {
			t.Errorf("DosesPerDay(%q) claims to know", in)
		}
	}
}
