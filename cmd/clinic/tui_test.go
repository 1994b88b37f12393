package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"medisecure/cmd/internal/deskapp"
	"medisecure/core"
	"medisecure/store"
	"medisecure/store/seed"
	"medisecure/tui"
)

// e2eNow is the clinic's clock in the end-to-end run: Thursday 26
// November 2026, 09:00 in Berlin.
var e2eNow = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

const (
	e2eAdminPass = "admin-pass-2026"
	e2ePass      = "desk-pass-2026"
)

// e2eOptions are the store's options in the run: the fixed clock and a
// cheap key derivation.
func e2eOptions() store.Options {
	return store.Options{Now: func() time.Time { return e2eNow }, KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}}
}

// e2eClinic is a small seeded clinic on disk with two patients of our
// own: Ingrid, whom the run books and checks in, and Olaf, whose
// appointment it cancels.
type e2eClinic struct {
	path       string
	doctor     core.User
	day        core.Date
	ingrid     core.Patient
	olaf       core.Appointment
	ingridTime time.Time // a free slot for Ingrid with the first doctor
}

// newE2EClinic creates and seeds the store, registers the two patients,
// books Olaf, finds Ingrid a free slot, and closes the store again.
func newE2EClinic(t *testing.T) *e2eClinic {
	t.Helper()
	c := &e2eClinic{path: filepath.Join(t.TempDir(), "clinic.db")}
	opts := e2eOptions()
	must(t, store.Create(c.path, store.InitOptions{Org: "Teatest Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: e2eAdminPass}, opts))
	db, err := store.Open(c.path, opts)
	must(t, err)
	defer db.Close()
	admin, err := db.Login("admin", e2eAdminPass)
	must(t, err)
	_, err = seed.Run(admin, seed.Options{Patients: 40, Days: 3, Seed: 7, Now: e2eNow, Passphrase: e2ePass})
	must(t, err)
	desk, err := db.Login("desk", e2ePass)
	must(t, err)
	c.day = core.DateOf(e2eNow, desk.Zone())
	doctors, err := desk.Doctors()
	must(t, err)
	c.doctor = doctors[0] // the doctor the booking form starts with
	c.ingrid, err = desk.AddPatient(core.Patient{Name: "Ingrid Testperson", DOB: "1979-04-12", Sex: "female", Phone: "+49 30 5550 1234"})
	must(t, err)
	olaf, err := desk.AddPatient(core.Patient{Name: "Olaf Cancelme", DOB: "1962-08-30", Sex: "male", Phone: "+49 30 5550 9876"})
	must(t, err)
	c.olaf, err = desk.Book(core.Appointment{PatientID: olaf.ID, Doctor: c.doctor.Name, Start: freeSlot(t, desk, c.doctor.Name, olaf.ID), Minutes: 15})
	must(t, err)
	c.ingridTime = freeSlot(t, desk, c.doctor.Name, c.ingrid.ID)
	return c
}

// freeSlot is the doctor's first free 15-minute slot today from 10:00.
func freeSlot(t *testing.T, s *store.Session, doctor string, patient core.ID) time.Time {
	t.Helper()
	from := time.Date(2026, 11, 26, 10, 0, 0, 0, s.Zone())
	for at := from; at.Hour() < 17; at = at.Add(5 * time.Minute) {
		if s.CheckSlot(core.Appointment{PatientID: patient, Doctor: doctor, Start: at.UTC(), Minutes: 15}) == nil {
			return at.UTC()
		}
	}
	t.Fatalf("%s has no free slot today", doctor)
	return time.Time{}
}

// startE2ETUI runs the real TUI on db at 80x24 under teatest, with the
// test clock and no colour. waitFor fails the test unless every text shows
// in the output within 15 s; keys sends key types in order.
func startE2ETUI(t *testing.T, db *store.DB) (tm *teatest.TestModel, waitFor func(texts ...string), keys func(ks ...tea.KeyType)) {
	t.Helper()
	m := tui.New(deskapp.Backend{DB: db}, tui.Options{Now: func() time.Time { return e2eNow }, NoColor: true})
	tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor = func(texts ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(out []byte) bool {
			for _, s := range texts {
				if !bytes.Contains(out, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	keys = func(ks ...tea.KeyType) {
		for _, k := range ks {
			tm.Send(tea.KeyMsg{Type: k})
		}
	}
	return tm, waitFor, keys
}

// TestTUIEndToEnd runs the real program on a real store file at 80x24:
// reception logs in, finds a patient by typing, opens her record, books
// her at a free time, checks her in from the schedule, cancels another
// patient's appointment with a reason, and quits. The store, opened again
// afterwards, holds every change and the access log has desk's entries.
func TestTUIEndToEnd(t *testing.T) {
	c := newE2EClinic(t)
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	tm, waitFor, keys := startE2ETUI(t, db)
	zone := db.Zone()
	clock := c.ingridTime.In(zone).Format("15:04")

	waitFor("Passphrase")
	tm.Type("desk")
	keys(tea.KeyEnter)
	tm.Type(e2ePass)
	keys(tea.KeyEnter)
	waitFor("Waiting room", "desk (reception)")

	tm.Type("/testpers")
	waitFor("Ingrid Testperson", "1 patient.")
	keys(tea.KeyEnter)
	waitFor("Date of birth", "1979-04-12")

	tm.Type("b")
	waitFor("Book appointment")
	tm.Type(clock)
	waitFor("Free: Thu 26 Nov " + clock)
	keys(tea.KeyEnter)
	// The row, not the note about the booking: the day has loaded.
	waitFor("Booked Ingrid Testperson", clock+"  Ingrid Testperson")

	tm.Type("c")
	// Ingrid in the waiting room: the day has loaded again.
	waitFor("Checked in Ingrid Testperson", "0 min  "+clock)

	moveTo(t, tm, db, c)
	tm.Type("C")
	waitFor("Olaf Cancelme, reason:")
	tm.Type("phoned in sick")
	keys(tea.KeyEnter)
	// The row says cancelled: the day has loaded again.
	cancelledRow := regexp.MustCompile(`Olaf Cancelme +cancelled`)
	teatest.WaitFor(t, tm.Output(), func(out []byte) bool { return cancelledRow.Match(out) },
		teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))

	keys(tea.KeyCtrlC)
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	final := tm.FinalModel(t).View()
	for _, s := range []string{"Cancelled Olaf Cancelme", "Ingrid Testperson", "checked in", "cancelled"} {
		if !strings.Contains(final, s) {
			t.Errorf("the last screen does not show %q:\n%s", s, final)
		}
	}
	must(t, db.Close())
	checkE2EStore(t, c)
}

// moveTo selects Olaf's appointment from Ingrid's, with j or k, counting
// the rows between them in the doctor's day as the store has it now.
func moveTo(t *testing.T, tm *teatest.TestModel, db *store.DB, c *e2eClinic) {
	t.Helper()
	s, err := db.Login("desk", e2ePass)
	must(t, err)
	day, err := s.Appointments(c.day, c.doctor.Name)
	must(t, err)
	from, to := -1, -1
	for i, a := range day {
		switch {
		case a.PatientID == c.ingrid.ID:
			from = i
		case a.ID == c.olaf.ID:
			to = i
		}
	}
	if from < 0 || to < 0 {
		t.Fatalf("the day lacks Ingrid (%d) or Olaf (%d)", from, to)
	}
	step := "j"
	if to < from {
		step = "k"
	}
	for range abs(to - from) {
		tm.Type(step)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// checkE2EStore opens the store again and checks what the run wrote.
func checkE2EStore(t *testing.T, c *e2eClinic) {
	t.Helper()
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	defer db.Close()
	admin, err := db.Login("admin", e2eAdminPass)
	must(t, err)
	day, err := admin.Appointments(c.day, c.doctor.Name)
	must(t, err)
	var booked *core.Appointment
	for i, a := range day {
		if a.PatientID == c.ingrid.ID {
			booked = &day[i]
		}
	}
	switch {
	case booked == nil:
		t.Fatal("Ingrid's appointment is not in the store")
	case booked.Status != core.ApptCheckedIn || !booked.Start.Equal(c.ingridTime) || booked.CreatedBy != "desk":
		t.Errorf("Ingrid's appointment is %+v, want checked in at %v by desk", *booked, c.ingridTime)
	}
	olaf, err := admin.Appointment(c.olaf.ID)
	must(t, err)
	if olaf.Status != core.ApptCancelled || olaf.StatusReason != "phoned in sick" {
		t.Errorf("Olaf's appointment is %s with reason %q, want cancelled, phoned in sick", olaf.Status, olaf.StatusReason)
	}
	log, err := admin.AuditList("")
	must(t, err)
	var searched, viewed bool
	for _, e := range log {
		if e.User != "desk" || e.PatientID != c.ingrid.ID {
			continue
		}
		searched = searched || e.Action == core.AccessSearch
		viewed = viewed || e.Action == core.AccessView
	}
	if !searched || !viewed {
		t.Errorf("the access log has no search (%v) or view (%v) of Ingrid by desk", searched, viewed)
	}
}

// TestTUIHoursAndSwitchUser runs the real program on a real store: a
// doctor added without working hours could never be booked; the admin
// sets them on the schedules screen (A, enter, type, enter), then locks
// and hands the workstation over (ctrl+l, ctrl+x): reception logs in and
// sees nothing of the admin's screens. The store has the hours and the
// doctor's slots are free.
func TestTUIHoursAndSwitchUser(t *testing.T) {
	c := newE2EClinic(t)
	db, err := store.Open(c.path, e2eOptions())
	must(t, err)
	admin, err := db.Login("admin", e2eAdminPass)
	must(t, err)
	must(t, admin.AddUser(core.User{Name: "aaa.new", DisplayName: "Dr Aaron New", Role: core.RoleDoctor}, "new-pass-2026"))
	tm, waitFor, _ := startE2ETUI(t, db)
	waitFor("Passphrase")
	tm.Type("admin")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type(e2eAdminPass)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("admin (admin)")
	tm.Type("A")
	waitFor("Users (", "Dr Aaron New")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("< Dr Aaron New >", "No working hours yet")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("09:00-13:00")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("Saved the working hours of Dr Aaron New.")

	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlL})
	waitFor("Screen locked", "ctrl+x switch user")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlX})
	tm.Type("desk")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type(e2ePass)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("desk (reception)", "Waiting room")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if final := tm.FinalModel(t).View(); strings.Contains(final, "Working hours") || strings.Contains(final, "Users (") {
		t.Errorf("the admin's screens stayed after switching user:\n%s", final)
	}
	sc, err := admin.Schedule("aaa.new")
	must(t, err)
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, db.Zone()) // the Monday after the run's Thursday
	if len(sc.Hours[time.Monday]) != 1 {
		t.Fatalf("hours saved %+v", sc.Hours)
	}
	desk, err := db.Login("desk", e2ePass)
	must(t, err)
	if err := desk.CheckSlot(core.Appointment{PatientID: c.ingrid.ID, Doctor: "aaa.new", Start: monday.UTC(), Minutes: 15}); err != nil {
		t.Errorf("Monday 09:00 with the new doctor: %v", err)
	}
	must(t, db.Close())
}
