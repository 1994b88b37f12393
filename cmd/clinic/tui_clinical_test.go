package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"medisecure/core"
	"medisecure/store"
)

// TestTUIDoctorsVisit runs the real program on a real store file at
// 80x24: a doctor logs in, finds today's patient (booked with them, a
// penicillin allergy on file), opens her chart, records vitals, writes
// and signs a SOAP note, and prescribes amoxicillin, which the allergy
// check blocks until an override reason is given. The store, opened
// again afterwards, holds the vitals, the signed note with its text and
// the prescription with the alert and the reason, and the access log has
// the chart read.
func TestTUIDoctorsVisit(t *testing.T) {
	c := newE2EClinic(t)
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	desk, err := db.Login("desk", e2ePass)
	must(t, err)
	_, err = desk.Book(core.Appointment{PatientID: c.ingrid.ID, Doctor: c.doctor.Name, Start: c.ingridTime, Minutes: 15, Reason: "sore throat"})
	must(t, err)
	doc, err := db.Login(c.doctor.Name, e2ePass)
	must(t, err)
	_, err = doc.AddAllergy(core.Allergy{PatientID: c.ingrid.ID, Substance: "penicillin", Reaction: "hives", Severity: core.SeverityModerate})
	must(t, err)

	tm, waitFor, keys := startE2ETUI(t, db)

	waitFor("Passphrase")
	tm.Type(c.doctor.Name)
	keys(tea.KeyEnter)
	tm.Type(e2ePass)
	keys(tea.KeyEnter)
	waitFor(c.doctor.Name + " (doctor)")

	tm.Type("/testpers")
	waitFor("Ingrid Testperson", "1 patient.")
	keys(tea.KeyEnter)
	waitFor("Date of birth", "1979-04-12")
	tm.Type("v")
	waitFor("!! ALLERGIES: penicillin (moderate: hives)")

	tm.Type("3a")
	waitFor("Record vitals")
	tm.Type("128/82")
	keys(tea.KeyTab)
	tm.Type("76")
	keys(tea.KeyCtrlS)
	waitFor("Vitals recorded.")

	tm.Type("2w")
	waitFor("Note (draft)")
	tm.Type("Sore throat for two days")
	keys(tea.KeyTab)
	tm.Type("Pharynx red, no exudate")
	keys(tea.KeyTab)
	tm.Type("Viral pharyngitis")
	keys(tea.KeyTab)
	tm.Type("Fluids; review if worse")
	keys(tea.KeyCtrlG)
	waitFor("Sign this note?")
	tm.Type("y")
	waitFor("Note signed.")

	tm.Type("4P")
	waitFor("Prescribe for Ingrid Testperson")
	tm.Type("amoxicillin")
	keys(tea.KeyTab)
	tm.Type("500 mg")
	keys(tea.KeyTab, tea.KeyTab)
	tm.Type("3 times a day")
	keys(tea.KeyTab)
	tm.Type("7")
	keys(tea.KeyTab)
	tm.Type("21")
	keys(tea.KeyTab)
	tm.Type("0")
	keys(tea.KeyEnter)
	waitFor("SAFETY ALERT", "Not saved")
	tm.Type("tolerated amoxicillin in 2024")
	keys(tea.KeyEnter)
	waitFor("Prescribed amoxicillin over 1 alert(s)")

	keys(tea.KeyCtrlC)
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	must(t, db.Close())
	checkVisitStore(t, c)
}

// checkVisitStore opens the store again and checks what the doctor's
// visit wrote.
func checkVisitStore(t *testing.T, c *e2eClinic) {
	t.Helper()
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	defer db.Close()
	doc, err := db.Login(c.doctor.Name, e2ePass)
	must(t, err)
	ch, err := doc.Chart(c.ingrid.ID, "test: check the visit")
	must(t, err)
	if len(ch.Notes) != 1 || ch.Notes[0].SignedAt.IsZero() || ch.Notes[0].Subjective != "Sore throat for two days" ||
		ch.Notes[0].Assessment != "Viral pharyngitis" || ch.Notes[0].Plan != "Fluids; review if worse" || ch.Notes[0].Author != c.doctor.Name {
		t.Errorf("notes %+v, want the one signed", ch.Notes)
	}
	if len(ch.Drafts) != 0 {
		t.Errorf("drafts left %+v", ch.Drafts)
	}
	var systolic float64
	for _, v := range ch.Vitals {
		if v.Metric == core.MetricSystolicBP {
			systolic = v.Value
		}
	}
	if systolic != 128 {
		t.Errorf("vitals %+v, want systolic 128", ch.Vitals)
	}
	if len(ch.Prescriptions) != 1 {
		t.Fatalf("prescriptions %+v, want amoxicillin", ch.Prescriptions)
	}
	p := ch.Prescriptions[0]
	if d := p.Medications[0]; d.Drug != "amoxicillin" || d.Dose != "500 mg" || d.Quantity != 21 || p.Doctor != c.doctor.Name {
		t.Errorf("prescription %+v", p)
	}
	if p.Override != "tolerated amoxicillin in 2024" || len(p.Alerts) == 0 || !strings.Contains(p.Alerts[0].String(), "penicillin") {
		t.Errorf("prescription alerts %+v, override %q", p.Alerts, p.Override)
	}
	admin, err := db.Login("admin", e2eAdminPass)
	must(t, err)
	log, err := admin.AuditList("")
	must(t, err)
	read := false
	for _, e := range log {
		read = read || (e.User == c.doctor.Name && e.PatientID == c.ingrid.ID && strings.Contains(e.Reason, "chart"))
	}
	if !read {
		t.Error("the access log has no chart read of Ingrid by the doctor")
	}
}

// TestTUINurseRound runs the real program on a real store file at 80x24:
// the nurse logs in to the nurse's day, opens the chart of today's
// patient from it, records vitals, asks a doctor for a refill of her
// prescription and records a dose taken. Back home the request is queued
// for the doctor; the store, opened again, holds all three by the nurse.
func TestTUINurseRound(t *testing.T) {
	c := newE2EClinic(t)
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	desk, err := db.Login("desk", e2ePass)
	must(t, err)
	_, err = desk.Book(core.Appointment{PatientID: c.ingrid.ID, Doctor: c.doctor.Name, Start: c.ingridTime, Minutes: 15, Reason: "diabetes review"})
	must(t, err)
	doc, err := db.Login(c.doctor.Name, e2ePass)
	must(t, err)
	rx, err := doc.Prescribe(core.Prescription{PatientID: c.ingrid.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60, RefillsAllowed: 2}}}, "")
	must(t, err)
	rem, err := doc.AddReminder(rx.ID, []string{"08:00", "20:00"})
	must(t, err)
	waiting, err := doc.Refills(true)
	must(t, err)

	tm, waitFor, _ := startE2ETUI(t, db)
	waitFor("Passphrase")
	tm.Type("nurse")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type(e2ePass)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("Nurse's day", "Refill requests waiting for a doctor", "nurse (nurse)")

	moveToIngrid(t, tm, db, c)
	tm.Type("v")
	waitFor("Ingrid Testperson", "ALLERGIES NOT ASKED")
	tm.Type("3a")
	waitFor("Record vitals")
	tm.Type("132/84")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	waitFor("Vitals recorded.")
	tm.Type("4f")
	waitFor("Refill of metformin asked for; it waits for a doctor.")
	tm.Type("6t")
	waitFor("Recorded: metformin dose taken.")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(fmt.Sprintf("Refill requests waiting for a doctor (%d)", len(waiting)+1), "Ingrid Testperson     metformin 500 mg twice a day")

	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	must(t, db.Close())

	db, err = store.Open(c.path, e2eOptions())
	must(t, err)
	defer db.Close()
	doc, err = db.Login(c.doctor.Name, e2ePass)
	must(t, err)
	ch, err := doc.Chart(c.ingrid.ID, "test: check the round")
	must(t, err)
	if len(ch.Refills) != 1 || ch.Refills[0].RequestedBy != "nurse" || ch.Refills[0].PrescriptionID != rx.ID || ch.Refills[0].Status != core.RefillRequested {
		t.Errorf("refills %+v, want the nurse's request", ch.Refills)
	}
	if len(ch.Adherence) != 1 || ch.Adherence[0].ReminderID != rem.ID || !ch.Adherence[0].Taken || ch.Adherence[0].RecordedBy != "nurse" {
		t.Errorf("adherence %+v, want the dose taken", ch.Adherence)
	}
	nurseVitals := 0
	for _, v := range ch.Vitals {
		if v.RecordedBy == "nurse" {
			nurseVitals++
		}
	}
	if nurseVitals != 2 {
		t.Errorf("vitals %+v, want the nurse's blood pressure", ch.Vitals)
	}
}

// moveToIngrid selects Ingrid's visit on the nurse's day: the store's
// order is the screen's, the patients waiting first, then by start.
func moveToIngrid(t *testing.T, tm *teatest.TestModel, db *store.DB, c *e2eClinic) {
	t.Helper()
	s, err := db.Login("desk", e2ePass)
	must(t, err)
	day, err := s.Appointments(c.day, "")
	must(t, err)
	rank := map[core.AppointmentStatus]int{core.ApptCheckedIn: 0, core.ApptInProgress: 1, core.ApptBooked: 2, core.ApptCompleted: 3, core.ApptNoShow: 4}
	var live []core.Appointment
	for _, a := range day {
		if a.Status != core.ApptCancelled {
			live = append(live, a)
		}
	}
	sort.SliceStable(live, func(i, j int) bool {
		a, b := live[i], live[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if a.Status == core.ApptCheckedIn && !a.CheckedInAt.Equal(b.CheckedInAt) {
			return a.CheckedInAt.Before(b.CheckedInAt)
		}
		return a.Start.Before(b.Start)
	})
	for i, a := range live {
		if a.PatientID == c.ingrid.ID {
			for range i {
				tm.Type("j")
			}
			return
		}
	}
	t.Fatal("Ingrid is not on today's list")
}
