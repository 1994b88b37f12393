package client_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// testWeek is the week the random edits book in (Monday to Friday), ahead
// of the stores' clocks.
var testWeek = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// editor makes random front-desk edits on workstations: patients,
// bookings, moves, status changes and cancellations.
type editor struct {
	rng      *rand.Rand
	patients []core.ID
	made     int
}

func newEditor(seed uint64) *editor {
	return &editor{rng: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

// edit makes n random edits on w as the receptionist. Edits the local
// state refuses (a clash, a patient not here yet, a status that cannot
// follow) are skipped; any other error fails the test.
func (e *editor) edit(t testing.TB, w *workstation, n int) {
	t.Helper()
	for range n {
		w.clock.advance(time.Duration(1+e.rng.IntN(90)) * time.Second)
		err := e.one(w)
		if err != nil && !expected(err) {
			t.Fatalf("%s: edit: %v", w.name, err)
		}
	}
}

// expected reports whether an edit was refused for a reason of the data.
func expected(err error) bool {
	var clash *core.ClashError
	var verr *core.ValidationError
	return errors.As(err, &clash) || errors.As(err, &verr) || errors.Is(err, core.ErrTransition) ||
		errors.Is(err, core.ErrInvalid) || errors.Is(err, store.ErrNotFound) || errors.Is(err, core.ErrClash)
}

func (e *editor) one(w *workstation) error {
	switch op := e.rng.IntN(10); {
	case op < 3 || len(e.patients) == 0:
		p, err := w.desk.AddPatient(core.Patient{
			Name:  fmt.Sprintf("Patient %s %d", w.name, e.made),
			DOB:   core.Date(fmt.Sprintf("19%02d-%02d-%02d", 30+e.rng.IntN(70), 1+e.rng.IntN(12), 1+e.rng.IntN(28))),
			Phone: fmt.Sprintf("+44 20 7946 %04d", e.rng.IntN(10000)),
		})
		if err == nil {
			e.patients = append(e.patients, p.ID)
			e.made++
		}
		return err
	case op < 6:
		_, err := w.desk.Book(core.Appointment{
			PatientID: e.patients[e.rng.IntN(len(e.patients))], Doctor: doctor,
			Start: e.slot(), Minutes: 15, Reason: "check-up",
		})
		return err
	case op == 6:
		p, err := w.desk.Patient(e.patients[e.rng.IntN(len(e.patients))], "phone update")
		if err != nil {
			return err
		}
		p.Phone = fmt.Sprintf("+44 20 7946 %04d", e.rng.IntN(10000))
		_, err = w.desk.UpdatePatient(p)
		return err
	}
	a, ok, err := e.appointment(w)
	if err != nil || !ok {
		return err
	}
	switch e.rng.IntN(4) {
	case 0:
		_, err = w.desk.Move(a.ID, e.slot(), a.Minutes, a.Room)
	case 1:
		_, err = w.desk.SetStatus(a.ID, core.ApptCancelled, "patient called")
	case 2:
		_, err = w.desk.SetStatus(a.ID, core.ApptCheckedIn, "")
	default:
		_, err = w.desk.SetStatus(a.ID, core.ApptNoShow, "")
	}
	return err
}

// slot is a random quarter hour of the doctor's mornings in the test week,
// in the clinic's zone.
func (e *editor) slot() time.Time {
	loc, _ := time.LoadLocation("Europe/Berlin")
	day := testWeek.AddDate(0, 0, e.rng.IntN(5))
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 15*e.rng.IntN(12), 0, 0, loc)
}

// appointment picks a random appointment of the test week on w.
func (e *editor) appointment(w *workstation) (core.Appointment, bool, error) {
	day := core.Date(testWeek.AddDate(0, 0, e.rng.IntN(5)).Format("2006-01-02"))
	appts, err := w.desk.Appointments(day, doctor)
	if err != nil || len(appts) == 0 {
		return core.Appointment{}, false, err
	}
	return appts[e.rng.IntN(len(appts))], true, nil
}
