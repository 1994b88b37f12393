package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/seed"
	"medisecure/tui/screens/chart"
	"medisecure/tui/ui"
)

// The P12 chart: one patient with 50 signed notes, 200 vitals over four
// years, 10 prescriptions, 5 allergies, 6 problems and a visit booked with
// the doctor, in a store with the seed's clinic around it.
const (
	p12Notes, p12Vitals, p12Rx = 50, 200, 10
	p12Opens                   = 300
	p13Rounds                  = 20
)

// benchP12 times opening a chart to its first render: the session reads
// the whole chart (and writes the access-log entry), the chart screen
// takes it and draws the summary at 80x24; p99 of p12Opens opens.
func benchP12(_ context.Context, c config) (string, error) {
	path, patient, err := p12Fixture(c.dir)
	if err != nil {
		return "", err
	}
	db, err := store.Open(path, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return "", err
	}
	defer db.Close()
	doc, err := db.Login(seed.DoctorName(0), benchPass)
	if err != nil {
		return "", err
	}
	sh := ui.NewShared(ui.DefaultKeyMap(), ui.NewStyles(lipgloss.NewRenderer(io.Discard)), func() time.Time { return fixedNow })
	sh.Who, sh.Loc = doc.Principal(), db.Zone()
	open := func() (string, error) {
		s := chart.New(sh, doc, ui.Route{PatientID: patient})
		s.SetSize(80, 20)
		for _, msg := range runCmd(s.Init()) {
			s.Update(msg)
		}
		return s.View(), nil
	}
	first, err := open()
	if err != nil {
		return "", err
	}
	if !strings.Contains(first, "ALLERGIES") || !strings.Contains(first, "Active problems") {
		return "", fmt.Errorf("the chart did not render its summary:\n%s", first)
	}
	runtime.GC()
	times := make([]time.Duration, p12Opens)
	for i := range times {
		t0 := time.Now()
		if _, err := open(); err != nil {
			return "", err
		}
		times[i] = time.Since(t0)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	limit, err := commitLimit(filepath.Join(c.dir, "p12-commit.db"), 100)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s ms p99 to the first render of a chart (median %s ms of %d opens; %d notes, %d vitals, %d prescriptions, 5 allergies, 6 problems; read, access-log entry committed, summary drawn at 80x24; one fsynced commit alone: %s ms; target 10 ms)",
		ms(p99(times)), ms(times[len(times)/2]), p12Opens, p12Notes, p12Vitals, p12Rx, ms(limit)), nil
}

// runCmd runs a screen's Cmd and the batches it returns, collecting the
// messages, as the Bubble Tea runtime would deliver them.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if _, ok := msg.(ui.SpinMsg); ok || msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// p12Fixture builds (once) the P12 store and returns it with the busy
// patient's ID.
func p12Fixture(dir string) (string, core.ID, error) {
	path := filepath.Join(dir, fmt.Sprintf("p12-%dn-%dv-%drx-v2.db", p12Notes, p12Vitals, p12Rx))
	var patient core.ID
	path, err := buildFixture(path, func(db *store.DB, admin *store.Session) error {
		if _, err := seed.Run(admin, seed.Options{Patients: 200, Days: 2, Doctors: 2, Seed: 12, Now: fixedNow, Passphrase: benchPass}); err != nil {
			return err
		}
		doc, err := db.Login(seed.DoctorName(0), benchPass)
		if err != nil {
			return err
		}
		p, err := doc.AddPatient(core.Patient{Name: "Chart Benchmark", DOB: "1950-05-05"})
		if err != nil {
			return err
		}
		// A visit next week puts the doctor in care of the patient.
		visit := time.Date(2026, 12, 7, 9, 0, 0, 0, db.Zone())
		if _, err := doc.Book(core.Appointment{PatientID: p.ID, Doctor: doc.User().Name, Start: visit, Minutes: 15, Reason: "review"}); err != nil {
			return err
		}
		return fillChart(doc, p.ID)
	})
	if err != nil {
		return "", "", err
	}
	db, err := store.Open(path, store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	doc, err := db.Login(seed.DoctorName(0), benchPass)
	if err != nil {
		return "", "", err
	}
	found, err := doc.FindPatients("chart benchmark", 1)
	if err != nil || len(found) != 1 {
		return "", "", fmt.Errorf("the P12 patient is missing: %v", err)
	}
	patient = found[0].ID
	return path, patient, nil
}

// fillChart writes the P12 patient's records through the store.
func fillChart(doc *store.Session, p core.ID) error {
	for _, s := range []string{"penicillin", "sulfa", "latex", "shellfish", "codeine"} {
		if _, err := doc.AddAllergy(core.Allergy{PatientID: p, Substance: s, Reaction: "rash", Severity: core.SeverityModerate}); err != nil {
			return err
		}
	}
	for _, pr := range []string{"Type 2 diabetes", "Hypertension", "Asthma", "Osteoarthritis", "Depression", "Gout"} {
		if _, err := doc.AddProblem(core.Problem{PatientID: p, Description: pr}); err != nil {
			return err
		}
	}
	return doc.Batch(func(w *store.Writer) error {
		start := fixedNow.AddDate(-4, 0, 0)
		for i := 0; i < p12Notes; i++ {
			n := core.Note{Meta: core.Meta{CreatedAt: start.AddDate(0, 0, i*29)}, PatientID: p, Author: doc.User().Name,
				Subjective: "Review of diabetes and blood pressure; feels well, no chest pain.", Objective: "BP and weight recorded.",
				Assessment: "Stable.", Plan: "Continue; review in a month."}
			if err := w.Add(&n); err != nil {
				return err
			}
		}
		for i := 0; i < p12Vitals; i++ {
			m := []core.Metric{core.MetricSystolicBP, core.MetricDiastolicBP, core.MetricHeartRate, core.MetricWeightKg}[i%4]
			val := []float64{135, 85, 72, 88}[i%4] + float64(i%7)
			spec, _ := m.Spec()
			v := core.Vital{PatientID: p, RecordedBy: "nurse", TakenAt: start.AddDate(0, 0, i*7), Metric: m, Value: val, Unit: spec.Unit}
			if err := w.Add(&v); err != nil {
				return err
			}
		}
		drugs := []string{"metformin", "ramipril", "amlodipine", "atorvastatin", "allopurinol", "sertraline", "salbutamol", "paracetamol", "omeprazole", "bendroflumethiazide"}
		for i := 0; i < p12Rx; i++ {
			rx := core.Prescription{PatientID: p, Doctor: doc.User().Name, Status: core.PrescriptionActive, StartDate: core.DateOf(start, time.UTC),
				Medications: []core.PrescribedDrug{{Drug: drugs[i], Dose: "10 mg", Route: core.RouteOral, Frequency: "once a day", Quantity: 30}}}
			if err := w.Add(&rx); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchP13 times every safety check of one prescription (allergy classes
// with cross-reactivity, duplicate therapy, dose range and day's total,
// interactions) for each drug of the shipped formulary, against a
// patient with 5 allergies and 10 current medications; p99 over
// p13Rounds rounds of the whole formulary.
func benchP13(_ context.Context, _ config) (string, error) {
	f, err := core.DefaultFormulary()
	if err != nil {
		return "", err
	}
	allergies := []core.Allergy{}
	for _, s := range []string{"penicillin", "sulfa", "aspirin", "codeine", "latex"} {
		allergies = append(allergies, core.Allergy{Substance: s, Severity: core.SeveritySevere})
	}
	var current []core.MedLine
	for _, d := range []string{"warfarin", "sertraline", "ramipril", "simvastatin", "metformin", "digoxin", "lithium", "omeprazole", "amiodarone", "tramadol"} {
		current = append(current, core.MedLine{Drug: d, Dose: "10 mg", Frequency: "once a day"})
	}
	var times []time.Duration
	alerts := 0
	for r := 0; r < p13Rounds; r++ {
		for _, name := range f.Names() {
			d, _ := f.Drug(name)
			p := core.Prescription{Medications: []core.PrescribedDrug{{Drug: name, Dose: fmt.Sprintf("%s %s", num(d.Doses[0].Max), d.Doses[0].Unit), Route: d.Doses[0].Route, Frequency: "twice a day", Quantity: 30}}}
			t0 := time.Now()
			got := f.CheckPrescription(&p, allergies, current)
			times = append(times, time.Since(t0))
			if r == 0 {
				alerts += len(got)
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return fmt.Sprintf("%s ms p99 for every safety check of one prescription (median %s ms; %d drugs of the shipped formulary × %d rounds, 5 allergies, 10 current medications, %d alerts a round; target 1 ms)",
		ms(p99(times)), ms(times[len(times)/2]), f.Len(), p13Rounds, alerts), nil
}

// num renders a dose without trailing zeros.
func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}
