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
	"time"
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

// newPatient registers a patient as the desk and books them a visit with
// dr.okafor next week, so doctor and nurse are in care; it returns the ID.
func (c *cli) newPatient(name, dob string) string {
	c.t.Helper()
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", name, "--dob", dob))
	for i := 0; i < 40; i++ {
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 15 * time.Minute).Format("2006-01-02 15:04")
		if _, _, code := c.run("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", at, "--minutes", "15"); code == 0 {
			return id
		}
	}
	c.t.Fatal("no free slot to book a visit")
	return ""
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
	signed := strings.Fields(c.clinMust("note", "sign", draft))
	if len(signed) != 2 || signed[1] != "signed" {
		t.Fatalf("sign printed %q, want the note's ID and signed", signed)
	}
	note := signed[0]
	c.clinExpect(exitValidation, `signed already; add an addendum`, "note", "sign", draft)
	c.clinExpect(exitValidation, `signed already; add an addendum`, "note", "sign", note)
	add := strings.TrimSpace(c.clinMust("note", "addendum", note, "--text", "Correction: 6 days."))
	out := c.clinMust("note", "list", id)
	for _, want := range []string{note, "signed", add, "addendum", "Correction: 6 days."} {
		if !strings.Contains(out, want) {
			t.Errorf("note list lacks %q:\n%s", want, out)
		}
	}
	c.clinExpect(exitValidation, `text is required`, "note", "addendum", note, "--text", " ")
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

func TestRxSafetyChecks(t *testing.T) {
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("nurse", "staff-pass")
	c.clinMust("allergy", "add", id, "--substance", "penicillin", "--reaction", "anaphylaxis", "--severity", "life_threatening")
	c.clinExpect(exitAuth, `nurse may not create prescription records`, "rx", "add", id, "--drug", "metformin", "--dose", "500 mg", "--frequency", "twice a day", "--quantity", "60")
	c.as("dr.okafor", "staff-pass")
	amox := []string{"rx", "add", id, "--drug", "amoxicillin", "--dose", "500 mg", "--route", "oral", "--frequency", "3 times a day", "--days", "7", "--quantity", "21", "--refills", "1"}
	c.clinExpect(exitValidation, `penicillin allergy \(life-threatening: anaphylaxis\) recorded; amoxicillin is in the class penicillins; to prescribe anyway give --override REASON`, amox...)
	if out := c.clinMust("rx", "list", id); strings.Contains(out, "amoxicillin") {
		t.Fatalf("a blocked prescription was saved:\n%s", out)
	}
	out, errOut, code := c.clin(append(amox, "--override", "tolerated amoxicillin in 2024")...)
	if code != 0 || len(strings.TrimSpace(out)) != 24 || !strings.Contains(errOut, "overridden allergy: penicillin allergy") {
		t.Fatalf("override: exit %d, out %q, err %q", code, out, errOut)
	}
	rxID := strings.TrimSpace(out)
	list := c.clinMust("rx", "list", id)
	if !strings.Contains(list, "amoxicillin") || !strings.Contains(list, "allergy: tolerated amoxicillin in 2024") {
		t.Errorf("rx list:\n%s", list)
	}
	c.clinExpect(exitValidation, `above the usual adult dose of ibuprofen`, "rx", "add", id, "--drug", "ibuprofen", "--dose", "2 g", "--frequency", "3 times a day", "--quantity", "30")
	c.clinExpect(exitValidation, `nothing to override`, "rx", "add", id, "--drug", "metformin", "--dose", "500 mg", "--frequency", "twice a day", "--quantity", "60", "--override", "x")
	js := c.clinMust("rx", "add", id, "--drug", "metformin", "--dose", "500 mg", "--frequency", "twice a day", "--quantity", "60", "--json")
	if !strings.Contains(js, `"drug": "metformin"`) || !strings.Contains(js, `"status": "active"`) {
		t.Errorf("rx add --json: %s", js)
	}
	c.clinExpect(exitValidation, `status.reason is required`, "rx", "cancel", rxID)
	if out := c.clinMust("rx", "cancel", rxID, "--reason", "course changed"); !strings.Contains(out, "cancelled") {
		t.Errorf("cancel: %q", out)
	}
	if out := c.clinMust("rx", "list", "--json", id); strings.Contains(out, "amoxicillin") || !strings.Contains(out, "metformin") {
		t.Errorf("rx list --json after cancel: %s", out)
	}
	if out := c.clinMust("rx", "list", "--all", id); !strings.Contains(out, "cancelled") {
		t.Errorf("rx list --all: %s", out)
	}
}

func TestVitalsAddList(t *testing.T) {
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("nurse", "staff-pass")
	out := c.clinMust("vitals", "add", id, "--bp", "120/80", "--pulse", "72", "--temp", "37.1", "--spo2", "98", "--weight", "70.5", "--height", "175")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 8 || !strings.Contains(out, "bmi 23 kg/m²") || !strings.Contains(out, "systolic_bp 120 mmHg") {
		t.Fatalf("vitals add printed:\n%s", out)
	}
	c.clinExpect(exitValidation, `temperature.c must be between 25 and 45 °C`, "vitals", "add", id, "--temp", "98.6")
	c.clinExpect(exitValidation, `diastolic must be below systolic`, "vitals", "add", id, "--bp", "80/120")
	c.clinExpect(exitUsage, `at least one reading`, "vitals", "add", id)
	if out := c.clinMust("vitals", "list", id, "--metric", "bmi"); !strings.Contains(out, "23") || strings.Contains(out, "mmHg") {
		t.Errorf("vitals list --metric bmi:\n%s", out)
	}
	if out := c.clinMust("vitals", "list", "--json", id); strings.Count(out, `"metric"`) != 8 {
		t.Errorf("vitals list --json:\n%s", out)
	}
	c.as("desk", "staff-pass")
	c.clinExpect(exitAuth, `reception may not`, "vitals", "add", id, "--pulse", "70")
}

func TestRefillsRemindersCLI(t *testing.T) {
	c := setup(t)
	id := c.newPatient("Ben de la Cruz", "1970-02-03")
	c.as("dr.okafor", "staff-pass")
	rx := strings.TrimSpace(c.clinMust("rx", "add", id, "--drug", "metformin", "--dose", "500 mg", "--frequency", "twice a day", "--quantity", "60", "--refills", "1"))
	c.as("desk", "staff-pass")
	c.clinExpect(exitAuth, `reception may not create refill`, "refill", "request", rx)
	c.clinExpect(exitAuth, `reception may not read refill`, "refill", "list")
	c.as("nurse", "staff-pass")
	req := strings.TrimSpace(c.clinMust("refill", "request", rx))
	second := strings.TrimSpace(c.clinMust("refill", "request", rx))
	if out := c.clinMust("refill", "list", "--pending"); !strings.Contains(out, req) || !strings.Contains(out, second) {
		t.Errorf("refill list --pending:\n%s", out)
	}
	c.clinExpect(exitAuth, `nurse may not change refill`, "refill", "approve", req)
	rem := strings.TrimSpace(c.clinMust("reminder", "add", rx, "--times", "08:00,20:00"))
	if out := c.clinMust("adherence", "record", rem, "taken", "--json"); !strings.Contains(out, `"taken": true`) {
		t.Errorf("adherence record --json: %s", out)
	}
	c.clinExpect(exitValidation, `taken, missed or late`, "adherence", "record", rem, "perhaps")
	c.as("dr.okafor", "staff-pass")
	if out := c.clinMust("refill", "approve", req); !strings.Contains(out, "approved") {
		t.Errorf("approve: %q", out)
	}
	c.clinExpect(exitValidation, `no refills remain`, "refill", "approve", second)
	c.clinExpect(exitValidation, `decision note is required|decision.note is required`, "refill", "deny", second)
	c.clinMust("refill", "deny", second, "--reason", "book a review first")
	if out := c.clinMust("refill", "list", "--json"); !strings.Contains(out, `"id": "`+second+`"`) || !strings.Contains(out, "book a review first") || !strings.Contains(out, `"status": "approved"`) {
		t.Errorf("refill list --json:\n%s", out)
	}
	c.clinExpect(exitValidation, `was not approved twice`, "refill", "resolve", req, "--reason", "x")
}

func TestBreakGlassCLI(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", "Walk In", "--dob", "1980-01-01"))
	c.as("dr.okafor", "staff-pass")
	c.clinExpect(exitAuth, `no care relationship with this patient.*clinic chart break-glass `+id, "chart", "show", id)
	c.clinExpect(exitValidation, `at least 10 characters`, "chart", "break-glass", id, "--reason", "why")
	if out := c.clinMust("chart", "break-glass", id, "--reason", "collapsed at the front desk"); !strings.Contains(out, "logged for review") {
		t.Errorf("break-glass: %q", out)
	}
	if out := c.clinMust("chart", "show", id); !strings.Contains(out, "Walk In") {
		t.Errorf("chart show after breaking the glass: %q", out)
	}
	c.as("admin", "admin-pass")
	out := c.clinMust("audit", "review")
	if !strings.Contains(out, "dr.okafor") || !strings.Contains(out, "collapsed at the front desk") || !strings.Contains(out, id) {
		t.Errorf("audit review:\n%s", out)
	}
}
