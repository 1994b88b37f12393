package store

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// nurse adds and logs in a nurse on the fixture's store.
func (f *fixture) nurse(t testing.TB) *Session {
	t.Helper()
	must(t, f.admin.AddUser(core.User{Name: "nurse.kim", Role: core.RoleNurse}, "nurse-pass"))
	s, err := f.db.Login("nurse.kim", "nurse-pass")
	if err != nil {
		t.Fatalf("nurse login: %v", err)
	}
	return s
}

func TestAllergyStates(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	chart := func() core.Chart {
		t.Helper()
		c, err := f.doctor.Chart(p.ID, "test")
		must(t, err)
		return c
	}
	if st, _ := chart().AllergyState(); st != core.AllergiesNotAsked {
		t.Fatalf("fresh patient: %v, want not asked", st)
	}
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, NoneKnown: true})
	must(t, err)
	if st, _ := chart().AllergyState(); st != core.AllergiesNoneKnown {
		t.Fatalf("after none known: %v", st)
	}
	_, err = f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "shellfish", Reaction: "hives", Severity: core.SeverityModerate})
	must(t, err)
	st, listed := chart().AllergyState()
	if st != core.AllergiesListed || len(listed) != 1 || listed[0].Substance != "shellfish" {
		t.Fatalf("after shellfish: %v %+v", st, listed)
	}
	if _, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, NoneKnown: true}); !errors.Is(err, ErrAllergiesListed) {
		t.Fatalf("none known over shellfish: %v, want ErrAllergiesListed", err)
	}
	if _, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "Shellfish ", Severity: core.SeverityMild}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("duplicate substance: %v, want ErrInvalid", err)
	}
	f.reopen(t)
	if st, listed := chart().AllergyState(); st != core.AllergiesListed || len(listed) != 1 {
		t.Fatalf("after reopen: %v %+v", st, listed)
	}
}

func TestAllergyRefusesControlCharacters(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "pen\x1b[2Jicillin", Severity: core.SeveritySevere})
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("escape in substance: %v, want ErrInvalid", err)
	}
}

func TestProblemsAddResolve(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	pr, err := f.doctor.AddProblem(core.Problem{PatientID: p.ID, Description: "Type 2 diabetes", Code: "E11.9", Onset: "2020-01-01"})
	must(t, err)
	if pr.Status != core.ProblemActive || pr.ID == "" {
		t.Fatalf("added: %+v", pr)
	}
	_, err = f.doctor.AddProblem(core.Problem{PatientID: p.ID, Description: "Asthma"})
	must(t, err)
	if _, err := f.doctor.SetProblemStatus(pr.ID, core.ProblemResolved); err != nil {
		t.Fatal(err)
	}
	if _, err := f.doctor.SetProblemStatus(pr.ID, core.ProblemResolved); !errors.Is(err, core.ErrTransition) {
		t.Fatalf("resolve twice: %v, want ErrTransition", err)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if act := c.ActiveProblems(); len(act) != 1 || act[0].Description != "Asthma" || len(c.Problems) != 2 {
		t.Fatalf("active %+v of %d", act, len(c.Problems))
	}
}

func TestChartPermissionsAndLog(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	other := f.patient(t, "Zoe Adams", "1990-05-06", "555-0102")
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: other.ID, Substance: "latex", Severity: core.SeverityMild})
	must(t, err)
	if _, err := f.desk.Chart(p.ID, "front desk"); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception chart: %v, want ErrDenied", err)
	}
	if _, err := f.desk.AddProblem(core.Problem{PatientID: p.ID, Description: "x"}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception problem: %v, want ErrDenied", err)
	}
	if _, err := nurse.AddProblem(core.Problem{PatientID: p.ID, Description: "x"}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("nurse problem: %v, want ErrDenied", err)
	}
	if _, err := nurse.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "penicillin", Severity: core.SeveritySevere}); err != nil {
		t.Fatalf("nurse allergy: %v", err)
	}
	if _, err := f.doctor.Chart(p.ID, " "); !errors.Is(err, ErrNoReason) {
		t.Fatalf("no reason: %v, want ErrNoReason", err)
	}
	c, err := nurse.Chart(p.ID, "vitals at visit 09:30")
	must(t, err)
	if len(c.Allergies) != 1 || c.Allergies[0].Substance != "penicillin" || c.Patient.Name != "Ben de la Cruz" {
		t.Fatalf("chart holds another patient's records or misses its own: %+v", c.Allergies)
	}
	log, err := f.admin.AuditList(p.ID)
	must(t, err)
	last := log[len(log)-1]
	if last.User != "nurse.kim" || last.Action != core.AccessView || last.Reason != "chart: vitals at visit 09:30" {
		t.Fatalf("last access entry %+v", last)
	}
}

func TestChartUpcoming(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	for _, when := range []string{"2026-11-30 10:00", "2026-11-27 09:00"} {
		_, err := f.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: at(t, when), Minutes: 15, Reason: "check-up"})
		must(t, err)
	}
	f.clock.t = f.clock.t.Add(24 * time.Hour)
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Upcoming) != 2 || !c.Upcoming[0].Start.Equal(at(t, "2026-11-27 09:00")) {
		t.Fatalf("upcoming %+v", c.Upcoming)
	}
}

func TestMigrateChartIndexAndDraftBucket(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: p.ID, Substance: "penicillin", Severity: core.SeveritySevere})
	must(t, err)
	// Make it a schema-3 store: no chart index, no drafts bucket.
	unclass(t, f)
	must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSchedule).Cursor()
		for k, _ := c.Seek([]byte{classClinical}); k != nil && k[0] == classClinical; k, _ = c.Seek([]byte{classClinical}) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketRecords).DeleteBucket([]byte(core.KindNoteDraft)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSchema, u64(3))
	}))
	f.reopen(t)
	if got := schemaOfFile(t, f.db); got != SchemaVersion {
		t.Fatalf("schema %d after unlock, want %d", got, SchemaVersion)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Allergies) != 1 {
		t.Fatalf("allergies after migration: %+v", c.Allergies)
	}
	if _, err := f.doctor.SaveDraft(core.NoteDraft{PatientID: p.ID, Plan: "x"}); err != nil {
		t.Fatalf("draft after migration: %v", err)
	}
}

func TestAddVitals(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	if _, err := f.desk.AddVitals(p.ID, time.Time{}, []core.Reading{{Metric: core.MetricHeartRate, Value: 72}}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception records vitals: %v", err)
	}
	vs, err := nurse.AddVitals(p.ID, time.Time{}, []core.Reading{{Metric: core.MetricHeightCm, Value: 175}, {Metric: core.MetricWeightKg, Value: 70.5}})
	must(t, err)
	if len(vs) != 3 || vs[2].Metric != core.MetricBMI || vs[2].Value != 23 || vs[0].RecordedBy != "nurse.kim" {
		t.Fatalf("vitals %+v", vs)
	}
	f.clock.t = f.clock.t.Add(time.Hour)
	vs, err = nurse.AddVitals(p.ID, time.Time{}, []core.Reading{{Metric: core.MetricWeightKg, Value: 72}})
	must(t, err)
	if len(vs) != 2 || vs[1].Value != 23.5 {
		t.Fatalf("BMI from the height on file: %+v", vs)
	}
	if _, err := nurse.AddVitals(p.ID, time.Time{}, []core.Reading{{Metric: core.MetricHeartRate, Value: 72}, {Metric: core.MetricTemperatureC, Value: 98.6}}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("a Fahrenheit temperature: %v, want ErrInvalid", err)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if len(c.Vitals) != 5 {
		t.Fatalf("%d vitals on the chart, want 5 (the refused set saves nothing)", len(c.Vitals))
	}
	last := c.LastVitals()
	if len(last) != 3 || last[0].Value != 72 || last[2].Value != 23.5 {
		t.Fatalf("last vitals %+v", last)
	}
}

// inCare books patient a visit with the fixture's doctor next week, so
// the doctor and any nurse have a care relationship with them.
func (f *fixture) inCare(t testing.TB, patient core.ID) {
	t.Helper()
	start := at(t, "2026-11-30 09:00")
	for i := 0; i < 40; i++ {
		_, err := f.desk.Book(core.Appointment{PatientID: patient, Doctor: "drwho", Start: start.Add(time.Duration(i) * 15 * time.Minute), Minutes: 15, Reason: "review"})
		if err == nil {
			return
		}
		if !errors.Is(err, core.ErrClash) {
			t.Fatalf("book a visit: %v", err)
		}
	}
	t.Fatal("no free slot for a visit")
}

func TestBreakTheGlass(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	if _, err := f.doctor.Chart(p.ID, "curious"); !errors.Is(err, core.ErrNoRelationship) {
		t.Fatalf("chart without a care relationship: %v, want ErrNoRelationship", err)
	}
	if _, err := nurse.Allergies(p.ID, "curious"); !errors.Is(err, core.ErrNoRelationship) {
		t.Fatalf("allergies without a care relationship: %v, want ErrNoRelationship", err)
	}
	if _, err := f.doctor.BreakGlass(p.ID, "x"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("a one-letter reason: %v, want ErrInvalid", err)
	}
	if _, err := f.desk.BreakGlass(p.ID, "reception wants to look"); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception breaks the glass: %v, want ErrDenied", err)
	}
	until, err := f.doctor.BreakGlass(p.ID, "unconscious in the waiting room, no records")
	must(t, err)
	if !until.Equal(f.clock.t.Add(core.BreakGlassFor)) {
		t.Fatalf("expires %v", until)
	}
	if _, err := f.doctor.Chart(p.ID, "emergency"); err != nil {
		t.Fatalf("chart after breaking the glass: %v", err)
	}
	if _, err := nurse.Chart(p.ID, "emergency"); !errors.Is(err, core.ErrNoRelationship) {
		t.Fatalf("the glass is the doctor's only: %v", err)
	}
	f.clock.t = f.clock.t.Add(core.BreakGlassFor + time.Minute)
	if _, err := f.doctor.Chart(p.ID, "later"); !errors.Is(err, core.ErrNoRelationship) {
		t.Fatalf("after the access expired: %v, want ErrNoRelationship", err)
	}
	review, err := f.admin.AuditReview()
	must(t, err)
	if len(review) != 1 || review[0].User != "drwho" || review[0].Action != core.AccessBreakGlass || review[0].Reason != "unconscious in the waiting room, no records" {
		t.Fatalf("review %+v", review)
	}
	if _, err := f.doctor.AuditReview(); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("a doctor reads the review: %v", err)
	}
	f.inCare(t, p.ID)
	if _, err := nurse.Chart(p.ID, "vitals"); err != nil {
		t.Fatalf("nurse with a visit booked: %v", err)
	}
}
