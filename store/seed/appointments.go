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

// day books one day's appointments in one transaction.
func (g *gen) day(day time.Time) ([]visit, error) {
	var visits []visit
	taken := map[core.ID]bool{}
	for _, doc := range g.doctors {
		sc, err := g.desk.Schedule(doc.User().Name)
		if err != nil {
			return nil, err
		}
		step := time.Duration(sc.SlotMinutes) * time.Minute
		for _, sp := range sc.Hours[day.Weekday()] {
			end := day.Add(time.Duration(sp.End) * time.Minute)
			for t := day.Add(time.Duration(sp.Start) * time.Minute); !t.Add(step).After(end); t = t.Add(step) {
				if g.rng.IntN(100) >= 55 {
					continue
				}
				p := g.patients[g.rng.IntN(len(g.patients))]
				if taken[p] {
					continue
				}
				taken[p] = true
				visits = append(visits, visit{appt: g.appointment(p, doc, sc, t), doctor: doc})
			}
		}
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
		err := v.doctor.Batch(func(w *store.Writer) error {
			n := core.Note{
				Meta:      core.Meta{ID: g.id(at), CreatedAt: at},
				PatientID: a.PatientID, AppointmentID: a.ID, Author: a.Doctor,
				Subjective: pick(g, complaints), Objective: fmt.Sprintf("BP %d/%d, HR %d.", 105+g.rng.IntN(50), 65+g.rng.IntN(30), 55+g.rng.IntN(40)),
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
		if err := g.vitalsAndBill(a, at); err != nil {
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

// vitalsAndBill records the nurse's vitals and the visit's invoice.
func (g *gen) vitalsAndBill(a core.Appointment, at time.Time) error {
	err := g.nurse.Batch(func(w *store.Writer) error {
		for _, m := range []struct {
			metric core.Metric
			value  float64
			unit   string
		}{{core.MetricSystolicBP, float64(105 + g.rng.IntN(50)), "mmHg"}, {core.MetricHeartRate, float64(55 + g.rng.IntN(40)), "/min"}} {
			v := core.Vital{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: a.PatientID, RecordedBy: "nurse", TakenAt: a.Start, Metric: m.metric, Value: m.value, Unit: m.unit}
			if err := w.Add(&v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: vitals: %w", err)
	}
	return g.billing.Batch(func(w *store.Writer) error {
		price := core.Money{Minor: int64(4000 + 500*g.rng.IntN(12)), Currency: "EUR"}
		inv := core.Invoice{
			Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: a.PatientID, AppointmentID: a.ID,
			Number: fmt.Sprintf("INV-%s", a.ID.Short()), Currency: "EUR", Status: core.InvoiceIssued, IssuedAt: at,
			DueDate: core.DateOf(at.AddDate(0, 0, 30), g.zone),
			Items:   []core.InvoiceItem{{Description: "Consultation: " + a.Reason, Quantity: 1, UnitPrice: price}},
		}
		paid := price
		if g.rng.IntN(5) == 0 {
			paid.Minor = price.Minor / 2
		}
		if err := w.Add(&inv); err != nil {
			return fmt.Errorf("seed: invoice: %w", err)
		}
		pay := core.Payment{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, InvoiceID: inv.ID, PatientID: a.PatientID, Amount: paid, Method: pick(g, core.PaymentMethods[:3]), ReceivedAt: at, ReceivedBy: "billing"}
		if err := w.Add(&pay); err != nil {
			return fmt.Errorf("seed: payment: %w", err)
		}
		return nil
	})
}
