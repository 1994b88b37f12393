package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// problems are the problem-list entries the demo charts draw from.
var problems = []struct{ text, code string }{
	{"Type 2 diabetes mellitus", "E11.9"}, {"Essential hypertension", "I10"}, {"Asthma", "J45.909"},
	{"Hypercholesterolaemia", "E78.0"}, {"Depression", "F32.9"}, {"Osteoarthritis of knee", "M17.9"},
	{"Hypothyroidism", "E03.9"}, {"Gastro-oesophageal reflux", "K21.9"},
}

// longTerm are the repeat prescriptions the demo charts draw from, each
// within its formulary dose range.
var longTerm = []struct{ name, dose, freq string }{
	{"metformin", "500 mg", "twice a day"}, {"ramipril", "5 mg", "once a day"}, {"atorvastatin", "20 mg", "once a day"},
	{"levothyroxine", "50 mcg", "once a day"}, {"sertraline", "50 mg", "once a day"}, {"amlodipine", "5 mg", "once a day"},
}

// chartExtras fills the charts of every third patient, so each tab of the
// chart has content: problems, "no known allergies" for some, a
// medication bought elsewhere, a repeat prescription with a reminder, a
// fortnight of adherence and a pending refill request. It draws from its
// own generator, so the rest of the seed stays as it was.
func (g *gen) chartExtras() error {
	rng := rand.New(rand.NewPCG(g.opts.Seed^0xc4a7, g.opts.Seed))
	doc := g.doctors[0]
	start := g.opts.Now.AddDate(0, 0, -20)
	for i := 0; i < len(g.patients); i += 3 {
		p := g.patients[i]
		at := start.Add(time.Duration(i) * time.Minute)
		rx := core.Prescription{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: p, Doctor: doc.User().Name,
			Status: core.PrescriptionActive, StartDate: core.DateOf(at, g.zone)}
		d := longTerm[rng.IntN(len(longTerm))]
		rx.Medications = []core.PrescribedDrug{{Drug: d.name, Dose: d.dose, Route: core.RouteOral, Frequency: d.freq, Quantity: 56, RefillsAllowed: 2}}
		err := doc.Batch(func(w *store.Writer) error {
			pr := problems[rng.IntN(len(problems))]
			if err := w.Add(&core.Problem{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: p, Description: pr.text, Code: pr.code, Onset: core.DateOf(at.AddDate(-1-rng.IntN(8), 0, 0), g.zone), Status: core.ProblemActive}); err != nil {
				return err
			}
			if i%2 == 0 {
				if err := w.Add(&core.Allergy{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: p, NoneKnown: true, RecordedBy: doc.User().Name}); err != nil {
					return err
				}
			}
			if i%4 == 0 {
				if err := w.Add(&core.Medication{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: p, Drug: "omeprazole", Dose: "20 mg", Frequency: "once a day", Since: core.DateOf(at.AddDate(-1, 0, 0), g.zone), Active: true}); err != nil {
					return err
				}
			}
			return w.Add(&rx)
		})
		if err != nil {
			return fmt.Errorf("seed: chart records: %w", err)
		}
		if err := g.nurseExtras(rng, rx, at); err != nil {
			return err
		}
	}
	return nil
}

// nurseExtras gives a repeat prescription its reminder, a fortnight of
// adherence (mostly taken) and a refill request waiting for the doctor.
func (g *gen) nurseExtras(rng *rand.Rand, rx core.Prescription, at time.Time) error {
	rem := core.Reminder{Meta: core.Meta{ID: g.id(at), CreatedAt: at}, PatientID: rx.PatientID, PrescriptionID: rx.ID, Drug: rx.Medications[0].Drug,
		Times: []string{"08:00", "20:00"}, StartDate: rx.StartDate, Channel: core.ChannelInApp, Active: true}
	return g.nurse.Batch(func(w *store.Writer) error {
		if err := w.Add(&rem); err != nil {
			return err
		}
		day, _ := rx.StartDate.Time(g.zone)
		for d := 0; d < 14; d++ {
			due := day.AddDate(0, 0, d).Add(8 * time.Hour)
			ev := core.Adherence{Meta: core.Meta{ID: g.id(due), CreatedAt: due}, ReminderID: rem.ID, PatientID: rx.PatientID, Due: due.UTC(),
				Taken: rng.IntN(6) != 0, RecordedAt: due.Add(time.Hour).UTC(), RecordedBy: g.nurse.User().Name}
			if err := w.Add(&ev); err != nil {
				return err
			}
		}
		ask := at.AddDate(0, 0, 18)
		return w.Add(&core.Refill{Meta: core.Meta{ID: g.id(ask), CreatedAt: ask}, PrescriptionID: rx.ID, PatientID: rx.PatientID, RequestedBy: g.nurse.User().Name, Status: core.RefillRequested})
	})
}
