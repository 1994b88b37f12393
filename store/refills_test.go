package store

import (
	"errors"
	"path/filepath"
	"testing"

	"medisecure/core"
)

// doctorOn logs the fixture's doctor in on a replica.
func doctorOn(t *testing.T, r *peer) *Session {
	t.Helper()
	s, err := r.db.Login("drwho", "doctor-pass")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openRefillConflicts are a replica's open "refill approved twice"
// conflicts.
func openRefillConflicts(t *testing.T, s *Session) []core.Conflict {
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

func TestRefillRequestApproveDeny(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	rx, err := f.doctor.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60, RefillsAllowed: 1}}}, "")
	must(t, err)
	if _, err := f.desk.RequestRefill(rx.ID, 0); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception requests a refill: %v", err)
	}
	_, err = nurse.RequestRefill(rx.ID, 0)
	must(t, err)
	r, err := nurse.RequestRefill(rx.ID, 0)
	must(t, err)
	if _, err := nurse.RequestRefill(rx.ID, 3); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("refill of drug 4 of 1: %v", err)
	}
	if _, err := nurse.DecideRefill(r.ID, true, ""); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("nurse approves: %v, want ErrDenied", err)
	}
	pending, err := f.doctor.Refills(true)
	must(t, err)
	if len(pending) != 2 {
		t.Fatalf("pending %+v", pending)
	}
	got, err := f.doctor.DecideRefill(r.ID, true, "")
	must(t, err)
	if got.Status != core.RefillApproved || got.Approval == "" || got.DecidedBy != "drwho" {
		t.Fatalf("approved %+v", got)
	}
	if _, err := f.doctor.DecideRefill(r.ID, true, ""); !errors.Is(err, core.ErrTransition) {
		t.Fatalf("approve twice here: %v, want ErrTransition", err)
	}
	other := pending[0].ID
	if other == r.ID {
		other = pending[1].ID
	}
	if _, err := f.doctor.DecideRefill(other, false, " "); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("deny without a reason: %v, want ErrInvalid", err)
	}
	if _, err := f.doctor.DecideRefill(other, true, ""); !errors.Is(err, core.ErrNoRefills) {
		t.Fatalf("approve past the refills allowed: %v, want ErrNoRefills", err)
	}
	if _, err := f.doctor.DecideRefill(other, false, "no refills left; book a review"); err != nil {
		t.Fatal(err)
	}
	c, err := f.doctor.Chart(p.ID, "test")
	must(t, err)
	if c.Prescriptions[0].Medications[0].RefillsUsed != 1 || len(c.Refills) != 2 {
		t.Fatalf("after decisions: %+v %+v", c.Prescriptions[0].Medications, c.Refills)
	}
}

// TestRefillApprovedTwice approves one request on two offline
// workstations: after they exchange changes, in either order and on a
// third replica too, each holds the same "refill approved twice"
// conflict, and the resolution written on one closes it on all.
func TestRefillApprovedTwice(t *testing.T) {
	// One organisation's store for all three replicas: a store made
	// apart holds other keys, and its users' signatures are not theirs.
	raw, clk := baseStore(t)
	a, b := openPeer(t, "A", filepath.Join(t.TempDir(), "a.db"), raw, clk), openPeer(t, "B", filepath.Join(t.TempDir(), "b.db"), raw, clk)
	t.Cleanup(func() { a.close(t); b.close(t) })
	docA, docB := doctorOn(t, a), doctorOn(t, b)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ben de la Cruz", DOB: "1970-02-03"})
	must(t, err)
	rx, err := docA.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60, RefillsAllowed: 3}}}, "")
	must(t, err)
	req, err := docA.RequestRefill(rx.ID, 0)
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	seqA, seqB := a.lastSeq(t), b.lastSeq(t)

	// Both offline: each doctor approves the same request.
	_, err = docA.DecideRefill(req.ID, true, "")
	must(t, err)
	clk.t = clk.t.Add(1)
	_, err = docB.DecideRefill(req.ID, true, "")
	must(t, err)
	fromA, fromB := a.outbox(t, seqA), b.outbox(t, seqB)
	if len(openRefillConflicts(t, docA)) != 0 {
		t.Fatal("a conflict before the replicas met")
	}
	a.apply(t, fromB)
	b.apply(t, fromA)
	ca, cb := openRefillConflicts(t, docA), openRefillConflicts(t, docB)
	if len(ca) != 1 || len(cb) != 1 || ca[0].ID != cb[0].ID || ca[0].Refill != req.ID || len(ca[0].Approvals) != 2 || ca[0].Approvals[0] != cb[0].Approvals[0] {
		t.Fatalf("conflicts after the exchange: A %+v, B %+v", ca, cb)
	}
	c := openPeer(t, "C", filepath.Join(t.TempDir(), "c.db"), raw, clk)
	defer c.close(t)
	c.apply(t, a.outbox(t, 0))
	c.apply(t, fromB)
	if cc := openRefillConflicts(t, doctorOn(t, c)); len(cc) != 1 || cc[0].ID != ca[0].ID {
		t.Fatalf("third replica: %+v", cc)
	}
	if err := docB.ResolveRefillConflict(req.ID, false, " "); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("resolve without saying how: %v", err)
	}
	seqB = b.lastSeq(t)
	must(t, docB.ResolveRefillConflict(req.ID, false, "second bottle recalled from the pharmacy"))
	if len(openRefillConflicts(t, docB)) != 0 {
		t.Fatal("still open where it was resolved")
	}
	a.apply(t, b.outbox(t, seqB))
	if len(openRefillConflicts(t, docA)) != 0 {
		t.Fatal("still open on the other replica after the resolution synced")
	}
	if err := docA.ResolveRefillConflict(req.ID, false, "again"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("resolve a closed conflict: %v", err)
	}
}

func TestRemindersAndAdherence(t *testing.T) {
	f := newFixture(t)
	nurse := f.nurse(t)
	p := f.patient(t, "Ben de la Cruz", "1970-02-03", "555-0101")
	f.inCare(t, p.ID)
	rx, err := f.doctor.Prescribe(core.Prescription{PatientID: p.ID, Medications: []core.PrescribedDrug{{Drug: "metformin", Dose: "500 mg", Route: core.RouteOral, Frequency: "twice a day", Quantity: 60}}}, "")
	must(t, err)
	if _, err := nurse.AddReminder(rx.ID, []string{"8:00"}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("a time of 8:00: %v, want ErrInvalid", err)
	}
	r, err := nurse.AddReminder(rx.ID, []string{"20:00", "08:00"})
	must(t, err)
	if r.Drug != "metformin" || r.Times[0] != "08:00" || !r.Active {
		t.Fatalf("reminder %+v", r)
	}
	// The fixture's clock is 09:00 in Berlin: the dose due is 08:00.
	a, err := nurse.RecordAdherence(r.ID, DoseLate)
	must(t, err)
	if !a.Taken || a.Note != "taken late" || !a.Due.Equal(at(t, "2026-11-26 08:00")) {
		t.Fatalf("adherence %+v", a)
	}
	if _, err := nurse.RecordAdherence(r.ID, "maybe"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("outcome maybe: %v", err)
	}
	if _, err := f.desk.RecordAdherence(r.ID, DoseTaken); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception records adherence: %v", err)
	}
	c, err := nurse.Chart(p.ID, "test")
	must(t, err)
	if len(c.Reminders) != 1 || len(c.Adherence) != 1 {
		t.Fatalf("chart reminders %+v adherence %+v", c.Reminders, c.Adherence)
	}
}
