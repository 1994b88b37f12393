package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// clin runs a clinical command line with --data at its end (the clinical
// groups take flags anywhere) and returns stdout, stderr and the code.
func (c *cli) clin(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append(append([]string{}, args...), "--data", c.dir), c.env(&out, &errOut))
	return out.String(), errOut.String(), code
}

// clinMust is clin for a command that must succeed; it returns stdout.
func (c *cli) clinMust(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.clin(args...)
	if code != 0 {
		c.t.Fatalf("clinic %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// clinExpect is clin for a command that must fail with code and a
// one-line message matching re.
func (c *cli) clinExpect(code int, re string, args ...string) {
	c.t.Helper()
	_, errOut, got := c.clin(args...)
	if got != code {
		c.t.Errorf("clinic %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), got, code, errOut)
	}
	if !regexp.MustCompile(re).MatchString(errOut) {
		c.t.Errorf("clinic %s: stderr %q does not match %q", strings.Join(args, " "), errOut, re)
	}
	if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "core:") || strings.Contains(errOut, "store:") {
		c.t.Errorf("clinic %s: Go error on stderr: %q", strings.Join(args, " "), errOut)
	}
}

// newPatient registers a patient as the desk and returns the ID.
func (c *cli) newPatient(name, dob string) string {
	c.t.Helper()
	c.as("desk", "staff-pass")
	return strings.TrimSpace(c.must("patient", "add", "--name", name, "--dob", dob))
}

func TestChartAllergiesProblems(t *testing.T) {
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("dr.okafor", "staff-pass")
	if out := c.clinMust("allergy", "list", id); strings.TrimSpace(out) != "allergies not asked" {
		t.Errorf("fresh allergy list: %q", out)
	}
	c.clinMust("allergy", "none", id)
	if out := c.clinMust("allergy", "list", id); strings.TrimSpace(out) != "no known allergies" {
		t.Errorf("after none: %q", out)
	}
	c.as("nurse", "staff-pass")
	out := c.clinMust("allergy", "add", id, "--substance", "shellfish", "--reaction", "hives", "--severity", "moderate", "--json")
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil || rec["substance"] != "shellfish" || rec["id"] == "" {
		t.Fatalf("allergy add --json: %q (%v)", out, err)
	}
	c.clinExpect(exitValidation, `allergies on file: shellfish is recorded`, "allergy", "none", id)
	c.clinExpect(exitValidation, `severity must be one of`, "allergy", "add", id, "--substance", "latex", "--severity", "awful")
	c.clinExpect(exitAuth, `nurse may not create problem records`, "problem", "add", id, "--text", "Asthma")
	c.as("dr.okafor", "staff-pass")
	pid := strings.TrimSpace(c.clinMust("problem", "add", id, "--text", "Type 2 diabetes", "--code", "E11.9", "--onset", "2020-01-01"))
	c.clinMust("problem", "add", "Ben de la Cruz", "--text", "Asthma")
	if out := c.clinMust("problem", "resolve", pid); !strings.Contains(out, "resolved") {
		t.Errorf("resolve: %q", out)
	}
	sum := c.clinMust("chart", "show", id)
	for _, want := range []string{"Ben de la Cruz", "ALLERGIES:", "!! shellfish (moderate) hives", "Active problems:\n  Asthma", "Notes: 0"} {
		if !strings.Contains(sum, want) {
			t.Errorf("chart show lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "Type 2 diabetes") {
		t.Errorf("chart show lists a resolved problem as active:\n%s", sum)
	}
	if out := c.clinMust("problem", "list", "--json", id); !strings.Contains(out, `"status": "resolved"`) {
		t.Errorf("problem list --json: %q", out)
	}
	c.as("desk", "staff-pass")
	c.clinExpect(exitAuth, `reception may not read problem records`, "chart", "show", id)
	c.as("admin", "admin-pass")
	if out := c.must("audit", "list", "--patient", id); !strings.Contains(out, "chart: clinic chart show") {
		t.Errorf("audit list lacks the chart read's reason:\n%s", out)
	}
}

func TestNoteDraftSignAddendum(t *testing.T) {
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("dr.okafor", "staff-pass")
	draft := strings.TrimSpace(c.clinMust("note", "add", id, "--subjective", "Cough for 5 days", "--plan", "Fluids"))
	if out := c.clinMust("note", "list", id); !strings.Contains(out, draft) || !strings.Contains(out, "draft") {
		t.Errorf("note list before signing: %q", out)
	}
	if out := c.clinMust("note", "sign", draft); !strings.Contains(out, draft+" signed") {
		t.Errorf("sign: %q", out)
	}
	c.clinExpect(exitValidation, `signed already; add an addendum`, "note", "sign", draft)
	add := strings.TrimSpace(c.clinMust("note", "addendum", draft, "--text", "Correction: 6 days."))
	out := c.clinMust("note", "list", id)
	for _, want := range []string{draft, "signed", add, "addendum", "Correction: 6 days."} {
		if !strings.Contains(out, want) {
			t.Errorf("note list lacks %q:\n%s", want, out)
		}
	}
	c.clinExpect(exitValidation, `text is required`, "note", "addendum", draft, "--text", " ")
	c.clinExpect(exitValidation, `control characters|escape`, "note", "add", id, "--subjective", "a\x1b[2Jb")
	c.as("desk", "staff-pass")
	c.clinExpect(exitAuth, `reception may not`, "note", "list", id)
	c.clinExpect(exitAuth, `reception may not`, "note", "add", id, "--plan", "x")
}

func TestNoteFromFile(t *testing.T) {
	got := parseSOAP("Cough.\nSubjective: more cough\nObjective:\nBP 120/80\nA: viral\nPlan: rest\nfluids\n")
	want := [4]string{"Cough.\nmore cough", "BP 120/80", "viral", "rest\nfluids"}
	if got != want {
		t.Fatalf("parseSOAP: %q, want %q", got, want)
	}
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("dr.okafor", "staff-pass")
	file := filepath.Join(t.TempDir(), "note.txt")
	must(t, os.WriteFile(file, []byte("S: headache\nP: paracetamol\n"), 0o600))
	out := c.clinMust("note", "add", id, "--from", file, "--sign", "--json")
	if !strings.Contains(out, `"signed_at"`) || !strings.Contains(out, `"plan": "paracetamol"`) {
		t.Errorf("note add --from --sign --json: %s", out)
	}
}
