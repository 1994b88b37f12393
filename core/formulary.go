package core

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// formularyJSON is the formulary shipped with the workstation: common
// adult drugs with ATC codes, allergy and interaction groups, adult dose
// ranges per route and major interactions, each with its sources.
//
//go:embed formulary/formulary.json
var formularyJSON []byte

// DoseRange is the usual adult dose of a drug by one route: a single dose
// from Min to Max and at most MaxDaily a day, in Unit (mg, mcg, g, ml or
// units).
type DoseRange struct {
	Route    Route   `json:"route"`
	Unit     string  `json:"unit"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	MaxDaily float64 `json:"max_daily"`
}

// FormularyDrug is one drug of the formulary.
type FormularyDrug struct {
	Generic string `json:"generic"`
	// ATC is the drug's WHO ATC code; its first five characters name its
	// therapeutic class.
	ATC string `json:"atc"`
	// Groups are the allergy classes (penicillins, sulfonamides, nsaids…)
	// and interaction groups (maoi, serotonergic, qt…) the drug is in.
	Groups []string    `json:"groups"`
	Doses  []DoseRange `json:"doses"`
}

// AllergyClass is a class of drugs a patient can be allergic to as a
// whole, the words an allergy may be recorded as, and the classes that
// cross-react with it.
type AllergyClass struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	Cross   []string `json:"cross"`
	Note    string   `json:"note"`
}

// Interaction is a major interaction between two drugs or groups, each
// side written "drug:warfarin" or "group:nsaids".
type Interaction struct {
	A        string `json:"a"`
	B        string `json:"b"`
	Severity string `json:"severity"`
	Effect   string `json:"effect"`
	Source   string `json:"source"`
	// idx is the rule's place in the file, which orders the alerts.
	idx int
}

// Formulary is the parsed, indexed formulary. It is read-only once built
// and safe for concurrent use.
type Formulary struct {
	Title   string   `json:"title"`
	Version string   `json:"version"`
	Sources []string `json:"sources"`

	drugs   map[string]*FormularyDrug
	classes map[string]*AllergyClass
	// alias maps every word an allergy may be recorded as to a class.
	alias map[string]string
	atc   map[string]string
	// byTag lists the interactions each side tag takes part in.
	byTag map[string][]*Interaction
	names []string
}

// formularyFile is the layout of the shipped file.
type formularyFile struct {
	Title        string                        `json:"title"`
	Version      string                        `json:"version"`
	Sources      []string                      `json:"sources"`
	Classes      []AllergyClass                `json:"allergy_classes"`
	ATC          []struct{ Code, Name string } `json:"atc_classes"`
	Drugs        []FormularyDrug               `json:"drugs"`
	Interactions []Interaction                 `json:"interactions"`
}

// ParseFormulary reads a formulary file and checks that every reference in
// it resolves: each drug's routes are routes, its ranges are ordered, and
// each interaction names a drug or group that exists.
func ParseFormulary(raw []byte) (*Formulary, error) {
	var file formularyFile
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("core: reading the formulary: %w", err)
	}
	f := &Formulary{
		Title: file.Title, Version: file.Version, Sources: file.Sources,
		drugs: map[string]*FormularyDrug{}, classes: map[string]*AllergyClass{},
		alias: map[string]string{}, atc: map[string]string{}, byTag: map[string][]*Interaction{},
	}
	groups := map[string]bool{}
	for i := range file.Drugs {
		d := &file.Drugs[i]
		key := drugKey(d.Generic)
		if _, dup := f.drugs[key]; dup || key == "" {
			return nil, fmt.Errorf("core: formulary: drug %q listed twice or unnamed", d.Generic)
		}
		for _, r := range d.Doses {
			if !r.Route.Valid() || r.Min <= 0 || r.Min > r.Max || r.Max > r.MaxDaily {
				return nil, fmt.Errorf("core: formulary: %s: bad dose range %+v", d.Generic, r)
			}
		}
		for _, g := range d.Groups {
			groups[g] = true
		}
		f.drugs[key] = d
		f.names = append(f.names, d.Generic)
	}
	sort.Strings(f.names)
	for _, a := range file.ATC {
		f.atc[a.Code] = a.Name
	}
	for i := range file.Classes {
		c := &file.Classes[i]
		f.classes[c.Name] = c
		f.alias[drugKey(c.Name)] = c.Name
		for _, al := range c.Aliases {
			f.alias[drugKey(al)] = c.Name
		}
	}
	for i := range file.Interactions {
		in := &file.Interactions[i]
		in.idx = i
		for _, side := range []string{in.A, in.B} {
			kind, name, _ := strings.Cut(side, ":")
			if (kind == "drug" && f.drugs[drugKey(name)] == nil) || (kind == "group" && !groups[name]) || (kind != "drug" && kind != "group") {
				return nil, fmt.Errorf("core: formulary: interaction %s + %s names %q, which no drug has", in.A, in.B, side)
			}
		}
		f.byTag[in.A] = append(f.byTag[in.A], in)
		if in.B != in.A {
			f.byTag[in.B] = append(f.byTag[in.B], in)
		}
	}
	return f, nil
}

var (
	formularyOnce sync.Once
	formulary     *Formulary
	formularyErr  error
)

// DefaultFormulary is the formulary shipped with the workstation, parsed
// once. A test checks that it parses, so the error is never seen in use.
func DefaultFormulary() (*Formulary, error) {
	formularyOnce.Do(func() { formulary, formularyErr = ParseFormulary(formularyJSON) })
	return formulary, formularyErr
}

// drugKey is how names are compared: lower case, single spaces.
func drugKey(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Drug looks a drug up by its generic name, case and spacing ignored.
func (f *Formulary) Drug(name string) (*FormularyDrug, bool) {
	d, ok := f.drugs[drugKey(name)]
	return d, ok
}

// Names are the generic names of every drug, sorted.
func (f *Formulary) Names() []string { return f.names }

// Len is the number of drugs.
func (f *Formulary) Len() int { return len(f.drugs) }

// Class is the name of a drug's therapeutic class (its ATC level 4), or
// "" when the formulary does not name it.
func (f *Formulary) Class(d *FormularyDrug) string {
	if len(d.ATC) < 5 {
		return ""
	}
	return f.atc[d.ATC[:5]]
}

// allergyClasses are the allergy classes among a drug's groups.
func (f *Formulary) allergyClasses(d *FormularyDrug) []string {
	var out []string
	for _, g := range d.Groups {
		if f.classes[g] != nil {
			out = append(out, g)
		}
	}
	return out
}
