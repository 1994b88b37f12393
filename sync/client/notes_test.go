package client_test

import (
	"testing"
	"time"

	"medisecure/core"
)

// The doctor signs a note on one workstation while, offline on another,
// the same draft is edited further. After sync through a real server both
// workstations show the signed note and the draft again with the later
// edit, and signing it there gives a second note everywhere.
func TestDraftEditedOfflineAfterItWasSignedElsewhereSyncs(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	docA := doctorOf(t, a)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ben de la Cruz", DOB: "1970-02-03"})
	must(t, err)
	_, err = a.desk.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: time.Date(2026, 11, 26, 10, 0, 0, 0, a.db.Zone()), Minutes: 15})
	must(t, err)
	d, err := docA.SaveDraft(core.NoteDraft{PatientID: p.ID, Subjective: "cough"})
	must(t, err)
	converge(t, wss)
	docB := doctorOf(t, b)

	_, err = docA.SignNote(d.ID)
	must(t, err)
	b.clock.advance(time.Minute)
	mine, err := docB.Draft(d.ID)
	must(t, err)
	mine.Plan = "amoxicillin 500 mg"
	_, err = docB.SaveDraft(mine)
	must(t, err)
	converge(t, wss)
	for _, w := range wss {
		ch, err := doctorOf(t, w).Chart(p.ID, "test")
		must(t, err)
		if len(ch.Notes) != 1 || ch.Notes[0].Plan != "" || len(ch.Drafts) != 1 || ch.Drafts[0].Plan != "amoxicillin 500 mg" {
			t.Fatalf("%s after sync: notes %+v, drafts %+v; want the signed note and the edited draft", w.name, ch.Notes, ch.Drafts)
		}
	}
	_, err = docB.SignNote(d.ID)
	must(t, err)
	converge(t, wss)
	for _, w := range wss {
		ch, err := doctorOf(t, w).Chart(p.ID, "test")
		must(t, err)
		if len(ch.Notes) != 2 || len(ch.Drafts) != 0 {
			t.Fatalf("%s after the second signing: %d notes, %d drafts; want 2 notes, no draft", w.name, len(ch.Notes), len(ch.Drafts))
		}
	}
	sameExports(t, wss)
}
