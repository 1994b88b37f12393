package seed

import (
	"fmt"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// visit is one generated appointment and who saw the patient.
type visit struct {
	appt   core.Appointment
	doctor *store.Session
}

// appointments fills each day's working hours, day by day: roughly half of
// the slots booked, statuses following from the time of day.
func (g *gen) appointments() error {
	today := time.Date(g.opts.Now.In(g.zone).Year(), g.opts.Now.In(g.zone).Month(), g.opts.Now.In(g.zone).Day(), 0, 0, 0, 0, g.zone)
	first := today.AddDate(0, 0, -g.opts.Days/2)
	for d := 0; d < g.opts.Days; d++ {
		if g.opts.MaxAppointments > 0 && g.res.Appointments >= g.opts.MaxAppointments {
			break
		}
		visits, err := g.day(first.AddDate(0, 0, d))
		if err != nil {
			return err
		}
		if g.opts.Clinical {
			if err := g.clinical(visits); err != nil {
				return err
			}
		}
	}
	return nil
}

// aheadToday is how many of each doctor's next slots today are booked
// when the day's draw left nothing still to come, so that the day on
// screen always has work ahead.
const aheadToday = 3

// day books one day's appointments in one transaction.
func (g *gen) day(day time.Time) ([]visit, error) {
	var visits []visit
	taken := map[core.ID]bool{}
	scheds := make([]core.Schedule, len(g.doctors))
	for i, doc := range g.doctors {
		sc, err := g.desk.Schedule(doc.User().Name)
		if err != nil {
			return nil, err
		}
		scheds[i] = sc
		g.eachSlot(day, sc, func(t time.Time) {
			if g.rng.IntN(100) >= 55 {
				return
			}
			if p, ok := g.freePatient(taken, false); ok {
				visits = append(visits, visit{appt: g.appointment(p, doc, sc, t), doctor: doc})
			}
		})
	}
	if core.DateOf(day, g.zone) == core.DateOf(g.opts.Now, g.zone) {
		visits = g.workAhead(visits, day, scheds, taken)
		g.someoneWaiting(visits)
	}
	err := g.desk.Batch(func(w *store.Writer) error {
		for i := range visits {
			if err := w.Add(&visits[i].appt); err != nil {
				return fmt.Errorf("seed: appointment: %w", err)
			}
		}
		return nil
	})
	g.res.Appointments += len(visits)
	return visits, err
}

// eachSlot calls fn with the start of every slot of a doctor's hours on
// day.
func (g *gen) eachSlot(day time.Time, sc core.Schedule, fn func(time.Time)) {
	step := time.Duration(sc.SlotMinutes) * time.Minute
	for _, sp := range sc.Hours[day.Weekday()] {
		end := atMinute(day, sp.End)
		for t := atMinute(day, sp.Start); !t.Add(step).After(end); t = t.Add(step) {
			fn(t)
		}
	}
}

// workAhead books each doctor's next free slots today when nothing of
// today is still to come, as late in the evening or on a day the draw
// left empty. It draws nothing from the random source otherwise, so a
// day with work ahead is the same as it always was.
func (g *gen) workAhead(visits []visit, day time.Time, scheds []core.Schedule, taken map[core.ID]bool) []visit {
	now := g.opts.Now
	busy := map[string]bool{}
	for _, v := range visits {
		if v.appt.Start.After(now) && v.appt.Status != core.ApptCancelled {
			return visits
		}
		busy[v.appt.Doctor+v.appt.Start.String()] = true
	}
	for i, doc := range g.doctors {
		ahead := 0
		g.eachSlot(day, scheds[i], func(t time.Time) {
			if ahead == aheadToday || !t.After(now) || busy[doc.User().Name+t.UTC().String()] {
				return
			}
			if p, ok := g.freePatient(taken, true); ok {
				a := g.appointment(p, doc, scheds[i], t)
				a.Status, a.StatusReason, a.CheckedInAt = core.ApptBooked, "", time.Time{}
				visits = append(visits, visit{appt: a, doctor: doc})
				ahead++
			}
		})
	}
	return visits
}

// someoneWaiting checks in the first patient still to come today when
// nobody is waiting yet.
func (g *gen) someoneWaiting(visits []visit) {
	next := -1
	for i, v := range visits {
		if v.appt.Status == core.ApptCheckedIn {
			return
		}
		if v.appt.Status == core.ApptBooked && v.appt.Start.After(g.opts.Now) && (next < 0 || v.appt.Start.Before(visits[next].appt.Start)) {
			next = i
		}
	}
	if next >= 0 {
		visits[next].appt.Status, visits[next].appt.CheckedInAt = core.ApptCheckedIn, g.opts.Now.Add(-5*time.Minute).UTC()
	}
}

// freePatient picks a patient not yet seen that day; one try, or many
// when the slot must be booked.
func (g *gen) freePatient(taken map[core.ID]bool, must bool) (core.ID, bool) {
	tries := 1
	if must {
		tries = 50
	}
	for i := 0; i < tries; i++ {
		p := g.patients[g.rng.IntN(len(g.patients))]
		if !taken[p] {
			taken[p] = true
			return p, true
		}
	}
	return "", false
}

// atMinute is the wall time min minutes after midnight on day, right
// across daylight-saving changes.
func atMinute(day time.Time, min int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), min/60, min%60, 0, 0, day.Location())
}

// appointment invents one appointment at t with a status that fits the
// clock: past ones completed (or missed, or cancelled), the current ones
// under way, future ones booked.
func (g *gen) appointment(p core.ID, doc *store.Session, sc core.Schedule, t time.Time) core.Appointment {
	booked := t.AddDate(0, 0, -1-g.rng.IntN(20))
	a := core.Appointment{
		Meta:      core.Meta{ID: g.id(booked), CreatedAt: booked},
		PatientID: p, Doctor: doc.User().Name, Start: t.UTC(), Minutes: sc.SlotMinutes,
		Room: sc.Rooms[0], Reason: pick(g, reasons), Status: core.ApptBooked,
	}
	now := g.opts.Now
	roll := g.rng.IntN(100)
	switch {
	case roll < 7:
		a.Status, a.StatusReason = core.ApptCancelled, pick(g, []string{"patient called to cancel", "doctor unavailable", "rebooked by phone"})
	case a.End().Before(now) && roll < 13:
		a.Status = core.ApptNoShow
	case a.End().Before(now):
		a.Status, a.CheckedInAt = core.ApptCompleted, t.Add(-time.Duration(g.rng.IntN(15))*time.Minute).UTC()
	case !t.After(now):
		a.Status, a.CheckedInAt = core.ApptInProgress, t.Add(-5*time.Minute).UTC()
	case t.Sub(now) < 45*time.Minute && roll < 70:
		a.Status, a.CheckedInAt = core.ApptCheckedIn, now.Add(-time.Duration(1+g.rng.IntN(25))*time.Minute).UTC()
	}
	return a
}

// clinical writes what completed visits leave behind: the doctor's note,
// vitals, sometimes an allergy or a prescription, and a paid (or partly
// paid) invoice.
func (g *gen) clinical(visits []visit) error {
	for _, v := range visits {
		a := v.appt
		if a.Status != core.ApptCompleted {
			continue
		}
		at := a.End()
		vs := vitalSigns{systolic: 105 + g.rng.IntN(50), diastolic: 65 + g.rng.IntN(30), pulse: 55 + g.rng.IntN(40)}
		err := v.doctor.Batch(func(w *store.Writer) error {
			n := core.Note{
				Meta:      core.Meta{ID: g.id(at), CreatedAt: at},
				PatientID: a.PatientID, AppointmentID: a.ID, Author: a.Doctor,
				Subjective: pick(g, complaints), Objective: vs.String(),
				Assessment: a.Reason, Plan: pick(g, []string{"Review in two weeks.", "Bloods ordered.", "Reassured; return if worse.", "Start treatment as prescribed."}),
			}
			if err := w.Add(&n); err != nil {
				return err
			}
			if g.rng.IntN(6) == 0 {
				al := core.Allergy{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: a.PatientID, Substance: pick(g, allergens), Reaction: "rash", Severity: pick(g, core.Severities), RecordedBy: a.Doctor}
				if err := w.Add(&al); err != nil {
					return err
				}
			}
			if g.rng.IntN(4) == 0 {
				d := pick(g, drugs)
				rx := core.Prescription{
					Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: a.PatientID, Doctor: a.Doctor, AppointmentID: a.ID,
					Medications: []core.PrescribedDrug{{Drug: d.name, Dose: d.dose, Route: core.RouteOral, Frequency: d.freq, Quantity: 30, RefillsAllowed: g.rng.IntN(3)}},
					Status:      core.PrescriptionActive, StartDate: core.DateOf(at, g.zone),
				}
				return w.Add(&rx)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: clinical records: %w", err)
		}
		if err := g.vitalsAndBill(a, at, vs); err != nil {
			return err
		}
		if g.rng.IntN(8) == 0 {
			m := core.Message{
				Meta: core.Meta{ID: g.id(at), CreatedAt: at}, To: []string{a.Doctor}, PatientID: a.PatientID,
				Subject: pick(g, []string{"Call back", "Results in", "Repeat prescription", "Question from the desk"}),
				Body:    pick(g, []string{"Patient phoned asking about results; please call back.", "Lab results arrived and are filed.", "Patient asks for a repeat prescription.", "Can we move the follow-up to next week?"}),
			}
			if _, err := g.desk.SendMessage(m); err != nil {
				return fmt.Errorf("seed: message: %w", err)
			}
		}
		g.res.Clinical++
	}
	return nil
}

// vitalSigns are what the nurse measured at a visit; the doctor's note
// quotes the same figures.
type vitalSigns struct{ systolic, diastolic, pulse int }

// String is the note's objective finding, "BP 150/95, HR 72.".
func (v vitalSigns) String() string {
	return fmt.Sprintf("BP %d/%d, HR %d.", v.systolic, v.diastolic, v.pulse)
}

// vitalsAndBill records the nurse's vitals and the visit's invoice.
func (g *gen) vitalsAndBill(a core.Appointment, at time.Time, vs vitalSigns) error {
	err := g.nurse.Batch(func(w *store.Writer) error {
		for _, m := range []struct {
			metric core.Metric
			value  float64
			unit   string
		}{{core.MetricSystolicBP, float64(vs.systolic), "mmHg"}, {core.MetricDiastolicBP, float64(vs.diastolic), "mmHg"}, {core.MetricHeartRate, float64(vs.pulse), "/min"}} {
			v := core.Vital{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: a.PatientID, RecordedBy: g.nurse.User().Name, TakenAt: a.Start, Metric: m.metric, Value: m.value, Unit: m.unit}
			if err := w.Add(&v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: vitals: %w", err)
	}
	g.keepStream(at)
	err = g.billing.Batch(func(w *store.Writer) error { return g.bill(w, a, at) })
	if err != nil {
		return fmt.Errorf("seed: invoice: %w", err)
	}
	return nil
}
