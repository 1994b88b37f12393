package client_test

import (
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// doctorOf logs the organisation's doctor in on a workstation.
func doctorOf(t *testing.T, w *workstation) *store.Session {
	t.Helper()
	s, err := w.db.Login(doctor, docPass)
	must(t, err)
	return s
}

// refillConflicts are a workstation's open "refill approved twice"
// conflicts.
func refillConflicts(t *testing.T, s *store.Session) []core.Conflict {
	t.Helper()
	all, err := s.Conflicts()
	must(t, err)
	var out []core.Conflict
	for _, c := range all {
		if c.On == core.ConflictOnRefill {
			out = append(out, c)
		}
	}
	return out
}

// refillsUsed is how many refills of the prescription's first drug a
// workstation counts.
func refillsUsed(t *testing.T, s *store.Session, rx core.ID) int {
	t.Helper()
	p, err := s.Prescription(rx)
	must(t, err)
	return p.Medications[0].RefillsUsed
}

// Two doctors on two offline workstations approve the same refill
// request. After sync through a real server both workstations show one
// and the same "refill approved twice" conflict naming both approvals;
// the doctor who settles it as "both dispensed" makes the second
// dispensing count on the prescription everywhere, so neither is lost.
func TestRefillApprovedTwiceAcrossWorkstations(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	docA := doctorOf(t, a)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ben de la Cruz", DOB: "1970-02-03"})
	must(t, err)
	_, err = a.desk.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: time.Date(2026, 11, 26, 10, 0, 0, 0, a.db.Zone()), Minutes: 15})
	must(t, err)
	rx, err := docA.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60, RefillsAllowed: 3}}}, "")
	must(t, err)
	req, err := docA.RequestRefill(rx.ID, 0)
	must(t, err)
	converge(t, wss)
	docB := doctorOf(t, b)

	// The link is down: each doctor approves the request.
	_, err = docA.DecideRefill(req.ID, true, "")
	must(t, err)
	_, err = docB.DecideRefill(req.ID, true, "")
	must(t, err)
	if len(refillConflicts(t, docA)) != 0 || len(refillConflicts(t, docB)) != 0 {
		t.Fatal("a conflict before the workstations met")
	}
	a.sync()
	if rep := b.sync(); rep.Conflicts != 1 {
		t.Fatalf("b: %d conflicts after sync, want 1", rep.Conflicts)
	}
	if rep := a.sync(); rep.Conflicts != 1 {
		t.Fatalf("a: %d conflicts after sync, want 1", rep.Conflicts)
	}
	ca, cb := refillConflicts(t, docA), refillConflicts(t, docB)
	if len(ca) != 1 || len(cb) != 1 || ca[0].ID != cb[0].ID || ca[0].Refill != req.ID {
		t.Fatalf("conflicts: a %+v, b %+v; want the same one on both", ca, cb)
	}
	if len(ca[0].Approvals) != 2 || ca[0].Approvals[0] == ca[0].Approvals[1] || strings.Join(idStrings(ca[0].Approvals), ",") != strings.Join(idStrings(cb[0].Approvals), ",") {
		t.Fatalf("approvals a %v, b %v; want both approvals on both", ca[0].Approvals, cb[0].Approvals)
	}
	sameExports(t, wss)

	if err := docB.ResolveRefillConflict(req.ID, true, " "); err == nil {
		t.Fatal("settled without saying how")
	}
	must(t, docB.ResolveRefillConflict(req.ID, true, "the pharmacy handed out both bottles"))
	converge(t, wss)
	for _, w := range wss {
		s := doctorOf(t, w)
		if n := len(refillConflicts(t, s)); n != 0 {
			t.Errorf("%s: %d refill conflicts after the resolution synced", w.name, n)
		}
		if n := refillsUsed(t, s, rx.ID); n != 2 {
			t.Errorf("%s: %d refills used, want 2: both dispensings count", w.name, n)
		}
		r, err := s.Refills(false)
		must(t, err)
		if len(r) != 1 || !strings.HasPrefix(r[0].Resolution, core.RefillBothDispensed) {
			t.Errorf("%s: refills %+v, want the resolution recorded", w.name, r)
		}
	}
	sameExports(t, wss)
}

// idStrings turns IDs into strings.
func idStrings(ids []core.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
