package store

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"medisecure/core"
)

// TestChartReadsLongListsAsOneRecordAtATime: a chart long enough to be
// opened on several cores at once lists the same records in the same
// order as reading them one after another, without the deleted ones.
func TestChartReadsLongListsAsOneRecordAtATime(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	for i := 0; i < 3*parallelFrom; i++ {
		f.clock.t = f.clock.t.Add(time.Minute)
		_, err := nurse.AddVitals(p.ID, time.Time{}, []core.Reading{{Metric: core.MetricHeartRate, Value: float64(60 + i%40)}})
		must(t, err)
	}
	var deleted []core.ID
	for i := 0; i < parallelFrom+5; i++ {
		pr, err := f.doctor.AddProblem(core.Problem{PatientID: p.ID, Description: fmt.Sprintf("problem %d", i)})
		must(t, err)
		if i%7 == 3 {
			deleted = append(deleted, pr.ID)
		}
	}
	for _, id := range deleted {
		must(t, f.doctor.Delete(core.KindProblem, id))
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	var vitals []core.Vital
	var problems []core.Problem
	must(t, f.doctor.view(func(tx *txn) error {
		for _, id := range tx.clinicalIDs(core.KindVital, p.ID) {
			var v core.Vital
			must(t, tx.get(id, &v))
			vitals = append(vitals, v)
		}
		for _, id := range tx.clinicalIDs(core.KindProblem, p.ID) {
			var pr core.Problem
			if err := tx.get(id, &pr); errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			problems = append(problems, pr)
		}
		return nil
	}))
	sortChart(&core.Chart{Vitals: vitals, Problems: problems})
	if len(c.Vitals) != 3*parallelFrom || !reflect.DeepEqual(c.Vitals, vitals) {
		t.Errorf("the chart's %d vitals differ from the %d read one at a time", len(c.Vitals), len(vitals))
	}
	if len(c.Problems) != parallelFrom+5-len(deleted) || !reflect.DeepEqual(c.Problems, problems) {
		t.Errorf("the chart's %d problems differ from the %d live ones read one at a time", len(c.Problems), len(problems))
	}
}

// TestSearchReadsManyResultsAsOneRecordAtATime: a search finding enough
// patients to open them on several cores returns the same patients in
// the index's order, without the deleted ones.
func TestSearchReadsManyResultsAsOneRecordAtATime(t *testing.T) {
	f := newFixture(t)
	var gone []core.ID
	for i := 0; i < 2*parallelFrom; i++ {
		p := f.patient(t, fmt.Sprintf("Quartermaine %03d", i), "1980-01-02", "")
		if i%9 == 4 {
			gone = append(gone, p.ID)
		}
	}
	for _, id := range gone {
		must(t, f.desk.Delete(core.KindPatient, id))
	}
	found, err := f.desk.FindPatients("quartermaine", 3*parallelFrom)
	must(t, err)
	var want []core.Patient
	must(t, f.desk.view(func(tx *txn) error {
		for _, id := range f.db.search.find("quartermaine", 3*parallelFrom) {
			var p core.Patient
			if err := tx.get(id, &p); errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			want = append(want, p)
		}
		return nil
	}))
	if len(found) != 2*parallelFrom-len(gone) || !reflect.DeepEqual(found, want) {
		t.Errorf("found %d patients, want the %d live ones read one at a time", len(found), len(want))
	}
}

// TestDayReadsManyAppointmentsAsOneRecordAtATime: a day long enough to be
// opened on several cores lists what one get after another reads.
func TestDayReadsManyAppointmentsAsOneRecordAtATime(t *testing.T) {
	f := newFixture(t)
	start := at(t, "2026-11-27 09:00")
	for i := 0; i < parallelFrom+12; i++ {
		p := f.patient(t, fmt.Sprintf("Day Patient %03d", i), "1980-01-02", "")
		when := start.Add(time.Duration(i) * 5 * time.Minute)
		if i >= 36 { // after the lunch break, 12-13
			when = when.Add(time.Hour)
		}
		_, err := f.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: when, Minutes: 5})
		must(t, err)
	}
	day, err := f.desk.Appointments("2026-11-27", "")
	must(t, err)
	var want []core.Appointment
	must(t, f.desk.view(func(tx *txn) error {
		for _, id := range tx.dayIDs("2026-11-27", "") {
			var a core.Appointment
			must(t, tx.get(id, &a))
			want = append(want, a)
		}
		return nil
	}))
	sort.Slice(want, func(i, j int) bool { return want[i].Start.Before(want[j].Start) })
	if len(day) != parallelFrom+12 || !reflect.DeepEqual(day, want) {
		t.Errorf("the day lists %d appointments, not the %d read one at a time", len(day), len(want))
	}
}
