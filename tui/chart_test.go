package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"medisecure/core"
	"medisecure/tui/screens/chart"
)

// seedChart gives José Núñez (patient 2) a full chart: allergies,
// problems, medications, vitals over weeks, prescriptions, a refill
// request and a reminder with adherence.
func seedChart(b *fakeBackend) core.ID {
	p := fakeID(2)
	m := func(n int, day int) core.Meta {
		return core.Meta{ID: fakeID(500 + n), CreatedAt: at(day, 9, 0).UTC(), UpdatedAt: at(day, 9, 0).UTC(), CreatedBy: "okafor"}
	}
	c := &b.clin
	c.allergies = []core.Allergy{
		{Meta: m(1, 1), PatientID: p, Substance: "penicillin", Reaction: "anaphylaxis", Severity: core.SeverityLifeThreatening, RecordedBy: "okafor"},
		{Meta: m(2, 2), PatientID: p, Substance: "shellfish", Reaction: "hives", Severity: core.SeverityModerate, RecordedBy: "okafor"},
	}
	c.problems = []core.Problem{
		{Meta: m(3, 1), PatientID: p, Description: "Type 2 diabetes", Code: "E11.9", Onset: "2019-04-01", Status: core.ProblemActive},
		{Meta: m(4, 1), PatientID: p, Description: "Essential hypertension", Code: "I10", Onset: "2021-01-15", Status: core.ProblemActive},
		{Meta: m(5, 1), PatientID: p, Description: "Ankle sprain", Status: core.ProblemResolved},
	}
	c.meds = []core.Medication{{Meta: m(6, 1), PatientID: p, Drug: "omeprazole", Dose: "20 mg", Frequency: "once a day", Since: "2024-02-01", Active: true}}
	c.rx = []core.Prescription{
		{Meta: m(7, 3), PatientID: p, Doctor: "okafor", Status: core.PrescriptionActive, StartDate: "2026-03-03",
			Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60, RefillsAllowed: 2, RefillsUsed: 1}}},
		{Meta: m(8, 3), PatientID: p, Doctor: "okafor", Status: core.PrescriptionActive, StartDate: "2026-03-03",
			Medications: []core.PrescribedDrug{{Drug: "sertraline", Dose: "50 mg", Route: core.RouteOral, Frequency: "once a day", Quantity: 30, RefillsAllowed: 3}}},
	}
	c.refills = []core.Refill{{Meta: m(9, 9), PrescriptionID: fakeID(507), PatientID: p, RequestedBy: "ana", Status: core.RefillRequested}}
	c.reminders = []core.Reminder{{Meta: m(10, 3), PatientID: p, PrescriptionID: fakeID(507), Drug: "metformin", Times: []string{"08:00", "20:00"}, StartDate: "2026-03-03", Channel: core.ChannelInApp, Active: true}}
	for i := 0; i < 6; i++ {
		c.adherence = append(c.adherence, core.Adherence{Meta: m(20+i, 4+i), ReminderID: fakeID(510), PatientID: p, Due: at(4+i, 8, 0).UTC(), Taken: i != 2, RecordedAt: at(4+i, 9, 0).UTC(), RecordedBy: "okafor"})
	}
	b.notes = append(b.notes, core.Note{Meta: m(30, 3), PatientID: p, Author: "okafor", SignedAt: at(3, 9, 0).UTC(),
		Subjective: "Thirsty, passing water often.\nTired for a month.", Objective: "BP 150/95. HbA1c 8.1%.", Assessment: "Type 2 diabetes, new.", Plan: "Metformin 500 mg twice a day; review in 4 weeks."})
	c.addenda = []core.Addendum{{Meta: m(31, 4), NoteID: fakeID(530), PatientID: p, Author: "okafor", Text: "HbA1c was 8.4%, not 8.1%."}}
	c.drafts = []core.NoteDraft{{Meta: m(32, 9), PatientID: p, Author: "okafor", Subjective: "Follow-up: feels better."}}
	for i := 0; i < 12; i++ {
		taken := at(1, 9, 0).AddDate(0, 0, -7*(11-i)).UTC()
		for _, r := range []struct {
			metric core.Metric
			value  float64
			unit   string
		}{{core.MetricSystolicBP, float64(150 - 3*i), "mmHg"}, {core.MetricDiastolicBP, float64(95 - i), "mmHg"}, {core.MetricHeartRate, float64(70 + i%4), "/min"}, {core.MetricWeightKg, 92 - 0.4*float64(i), "kg"}} {
			c.vitals = append(c.vitals, core.Vital{Meta: m(100+len(c.vitals), 1), PatientID: p, RecordedBy: "okafor", TakenAt: taken, Metric: r.metric, Value: r.value, Unit: r.unit})
		}
	}
	return p
}

// openChart logs okafor in and opens José Núñez's chart from the search.
func openChart(h *harness) {
	seedChart(h.b)
	h.login("okafor")
	h.keys("/")
	h.typ("nunez")
	h.keys("enter v")
}

// chartTabs are the chart's tabs by their keys.
var chartTabs = []struct{ name, key string }{
	{"summary", "1"}, {"notes", "2"}, {"vitals", "3"}, {"meds", "4"}, {"refills", "5"}, {"reminders", "6"},
	{"note_editor", "2 w"}, {"vitals_form", "3 a"}, {"prescribe", "4 P"},
}

// TestChartGolden compares every tab of the chart at 80x24 and 120x40
// with its golden file (go test ./tui -run TestChartGolden -update).
func TestChartGolden(t *testing.T) {
	for _, tb := range chartTabs {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tb.name, sz[0], sz[1]), func(t *testing.T) {
				h := newHarness(t, sz[0], sz[1])
				openChart(h)
				h.keys(tb.key)
				v := h.view()
				checkSize(t, v, sz[0], sz[1])
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

func TestChartSummaryAllergiesFirst(t *testing.T) {
	h := newHarness(t, 80, 24)
	openChart(h)
	lines := strings.Split(h.view(), "\n")
	if len(lines) < 4 || !strings.Contains(lines[3], "!! ALLERGIES: penicillin (life-threatening: anaphylaxis)") {
		t.Fatalf("the allergies are not the first line of the summary:\n%s", h.view())
	}
	h.mustSee("Type 2 diabetes", "metformin 500 mg oral twice a day", "BP systolic", "117 mmHg")
	h.mustNotSee("Ankle sprain")
	if last := h.b.access[len(h.b.access)-1]; !strings.HasSuffix(last, "chart: opened from the patient's record") {
		t.Fatalf("access log ends %q", last)
	}
}

func TestChartFromTheDay(t *testing.T) {
	h := newHarness(t, 80, 24)
	seedChart(h.b)
	h.login("okafor")
	h.mustSee("v chart")
	for i := 0; i < 10 && !strings.Contains(h.view(), "> 09:00"); i++ {
		h.keys("k")
	}
	h.keys("v")
	h.mustSee("José Núñez", "!! ALLERGIES: penicillin")
	if _, ok := h.front().(*chart.Screen); !ok {
		t.Fatalf("front screen is %T", h.front())
	}
	if last := h.b.access[len(h.b.access)-1]; !strings.Contains(last, "chart: opened from appointment") {
		t.Fatalf("access log ends %q", last)
	}
}

func TestChartAddAllergyAndProblem(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("okafor")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter v")
	h.mustSee("!! ALLERGIES NOT ASKED")
	h.keys("N")
	h.mustSee("Allergies: none known (NKA)", "Recorded: no known allergies.")
	h.keys("a")
	h.typ("latex")
	h.keys("enter")
	h.typ("rash")
	h.keys("enter")
	h.typ("awful")
	h.keys("enter")
	h.mustSee("severity must be one of")
	h.keys("ctrl+u")
	h.typ("mild")
	h.keys("enter")
	h.mustSee("!! ALLERGIES: latex (mild: rash)", "Allergy to latex recorded.")
	h.mustNotSee("NKA")
	h.keys("p")
	h.typ("Migraine")
	h.keys("ctrl+s")
	h.mustSee("> Migraine")
	h.keys("R")
	h.mustSee("Resolved: Migraine.")
	h.mustNotSee("> Migraine")
}

func TestChartWriteSignNote(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("okafor")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter v 2")
	h.mustSee("w write note")
	h.keys("w")
	h.mustSee("Note (draft)", "> Subjective", "ctrl+g sign")
	h.typ("Sore throat")
	h.keys("enter")
	h.typ("two days")
	h.keys("tab tab tab")
	h.typ("Gargle; paracetamol.")
	h.mustSee("not saved yet")
	// A lock keeps the editor and its text.
	h.keys("ctrl+l")
	h.mustSee("Screen locked")
	h.mustNotSee("Sore throat")
	h.typ("demo")
	h.keys("enter")
	h.mustSee("Sore throat", "two days", "Gargle; paracetamol.")
	h.keys("ctrl+s")
	h.mustSee("Draft saved 09:12.")
	h.keys("esc")
	h.mustSee("DRAFT, not signed", "S: Sore throat", "two days", "Draft saved; it is not signed yet.")
	// Logging out and in again (a restart) finds the draft in the store.
	h.keys("ctrl+x")
	h.login("okafor")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter v 2")
	h.mustSee("> DRAFT, not signed")
	h.keys("enter")
	h.mustSee("Note (draft)", "Sore throat")
	h.keys("ctrl+g")
	h.mustSee("Sign this note?")
	h.keys("y")
	h.mustSee("Note signed.", "Dr Amara Okafor", "S: Sore throat")
	h.mustNotSee("DRAFT")
	h.keys("A")
	h.mustSee("Addendum to the note of")
	h.typ("Also: no fever.")
	h.keys("ctrl+s")
	h.mustSee("Addendum added.", "Addendum Tue 10 Mar 09:12 okafor: Also: no fever.")
	if n := h.b.notes[0]; n.Subjective != "Sore throat\ntwo days" || n.Plan != "Gargle; paracetamol." || n.SignedAt.IsZero() {
		t.Fatalf("signed note %+v", n)
	}
}

func TestChartVitalsAndPrescribeWithOverride(t *testing.T) {
	h := newHarness(t, 80, 24)
	openChart(h)
	h.keys("3 a")
	h.mustSee("Record vitals", "BP")
	h.typ("128/82")
	h.keys("tab")
	h.typ("76")
	h.keys("tab")
	h.typ("98.6")
	h.keys("ctrl+s")
	h.mustSee("temperature c must be between 25 and 45 °C")
	h.keys("ctrl+u")
	h.typ("37.0")
	h.keys("tab tab tab")
	h.typ("80")
	h.keys("tab")
	h.typ("180")
	h.keys("ctrl+s")
	h.mustSee("Vitals recorded.", "BP systolic     128 mmHg", "BMI            24.7 kg/m²")
	h.keys("4 P")
	h.mustSee("Prescribe for José Núñez", "Drug")
	h.typ("amoxicillin")
	h.keys("tab")
	h.typ("500 mg")
	h.keys("tab tab")
	h.typ("3 times a day")
	h.keys("tab")
	h.typ("7")
	h.keys("tab")
	h.typ("21")
	h.keys("tab")
	h.typ("0")
	h.keys("enter")
	h.mustSee("!! 1 SAFETY ALERT(S)", "!! allergy: penicillin allergy (life-threatening: anaphylaxis) recorded;", "Not saved")
	if len(h.b.clin.rx) != 2 {
		t.Fatalf("a blocked prescription was saved: %+v", h.b.clin.rx)
	}
	h.keys("enter")
	h.mustSee("Give a reason to prescribe despite the alerts")
	h.typ("tolerated amoxicillin in 2024")
	h.keys("enter")
	h.mustSee("Prescribed amoxicillin over 1 alert(s); the reason is recorded.", "amoxicillin 500 mg oral 3 times a day", "reason: tolerated amoxicillin in 2024")
	got := h.b.clin.rx[len(h.b.clin.rx)-1]
	if got.Override != "tolerated amoxicillin in 2024" || len(got.Alerts) != 1 || got.EndDate != "2026-03-16" {
		t.Fatalf("saved %+v", got)
	}
}

func TestChartBreakTheGlass(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.b.clin.strict = true
	h.login("okafor")
	h.keys("/")
	h.typ("schmid")
	h.keys("enter")
	h.mustSee("Anna Schmid")
	h.keys("v")
	h.mustSee("Break the glass", "no appointment with this patient", "expires after 4 hours")
	h.keys("esc")
	h.mustNotSee("Break the glass")
	h.keys("v")
	h.typ("short")
	h.keys("enter")
	h.mustSee("at least 10 characters")
	h.keys("ctrl+u")
	h.typ("covering the emergency clinic")
	h.keys("enter")
	h.mustSee("Glass broken: the chart is open to you for 4 hours", "!! ALLERGIES NOT ASKED")
	if got := h.b.access[len(h.b.access)-2]; !strings.HasSuffix(got, "break_glass: covering the emergency clinic") {
		t.Fatalf("access log %q", h.b.access)
	}
}

func TestRefillWorklist(t *testing.T) {
	h := newHarness(t, 80, 24)
	seedChart(h.b)
	h.login("okafor")
	h.keys("F")
	h.mustSee("Refill requests waiting for a decision", "José Núñez", "metformin 500 mg twice a day (refill")
	h.keys("x")
	h.keys("enter")
	h.mustSee("decision note is required")
	h.typ("book a review first")
	h.keys("enter")
	h.mustSee("Denied: metformin", "No refill requests are waiting.")
	if r := h.b.clin.refills[0]; r.Status != core.RefillDenied || r.DecisionNote != "book a review first" {
		t.Fatalf("refill %+v", r)
	}
}

func TestChartNotesDeniedToReception(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustNotSee("v chart")
}

// clinicalSized are the chart's tabs and forms for TestEverySize, each
// opened by okafor on a full chart.
func clinicalSized() []struct {
	name  string
	login bool
	steps func(h *harness)
} {
	var out []struct {
		name  string
		login bool
		steps func(h *harness)
	}
	add := func(name string, steps func(h *harness)) {
		out = append(out, struct {
			name  string
			login bool
			steps func(h *harness)
		}{name, false, steps})
	}
	for _, tb := range chartTabs {
		add("chart_"+tb.name, func(h *harness) { openChart(h); h.keys(tb.key) })
	}
	add("chart_allergy_form", func(h *harness) { openChart(h); h.keys("a"); h.typ("latex") })
	add("chart_note_editor", func(h *harness) { openChart(h); h.keys("2 w"); h.typ("Feels better") })
	add("chart_addendum", func(h *harness) { openChart(h); h.keys("2 j A"); h.typ("x") })
	add("chart_break_glass", func(h *harness) {
		h.b.clin.strict = true
		h.login("okafor")
		h.keys("/")
		h.typ("schmid")
		h.keys("enter v")
	})
	add("refill_worklist", func(h *harness) { seedChart(h.b); h.login("okafor"); h.keys("F") })
	add("chart_vitals_form", func(h *harness) { openChart(h); h.keys("3 a"); h.typ("120/80") })
	add("rx_alerts", func(h *harness) {
		openChart(h)
		h.keys("P")
		h.typ("ibuprofen")
		h.keys("tab")
		h.typ("2 g")
		h.keys("tab tab")
		h.typ("3 times a day")
		h.keys("ctrl+s")
	})
	return out
}
