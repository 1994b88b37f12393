package client_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/sync/client"
)

// Three workstations of one organisation edit offline and online in turns;
// after full sync rounds every one exports the same bytes.
func TestThreeWorkstationsConverge(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	eds := []*editor{newEditor(1), newEditor(2), newEditor(3)}
	for round := range 6 {
		for i, w := range wss {
			eds[i].edit(t, w, 15)
			// Each workstation is online in some rounds only.
			if (round+i)%3 != 0 {
				w.sync()
			}
		}
	}
	converge(t, wss)
	out := sameExports(t, wss)
	if n := strings.Count(out, `"kind":"appointment"`); n < 20 {
		t.Fatalf("only %d appointments in the export; the edits did too little", n)
	}
	for _, w := range wss {
		if st := w.state(); st.Pending != 0 || st.LastAck != st.LastSeq || st.LastPull.IsZero() {
			t.Errorf("%s: state after sync %+v, want nothing pending and a pull", w.name, st)
		}
	}
}

// Two workstations, offline, book the same doctor at the same time. After
// sync both show the same conflict; resolving it on one and syncing
// clears it on both, and the resolution's cancellation reaches both.
func TestDoubleBookingConflictResolvedEverywhere(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, a.db.Zone())
	book := func(w *workstation, name string) core.ID {
		p, err := w.desk.AddPatient(core.Patient{Name: name, DOB: "1970-05-05"})
		must(t, err)
		appt, err := w.desk.Book(core.Appointment{PatientID: p.ID, Doctor: doctor, Start: at, Minutes: 15})
		must(t, err)
		return appt.ID
	}
	keep, other := book(a, "Ann Example"), book(b, "Bob Example")
	a.sync()
	if rep := b.sync(); rep.Conflicts != 1 {
		t.Fatalf("b after sync: %d conflicts, want 1", rep.Conflicts)
	}
	if rep := a.sync(); rep.Conflicts != 1 {
		t.Fatalf("a after sync: %d conflicts, want 1", rep.Conflicts)
	}
	ca, err := a.desk.Conflicts()
	must(t, err)
	cb, err := b.desk.Conflicts()
	must(t, err)
	if len(ca) != 1 || len(cb) != 1 || ca[0].ID != cb[0].ID {
		t.Fatalf("conflicts differ: a %+v, b %+v", ca, cb)
	}
	must(t, a.desk.ResolveConflict(ca[0].ID, keep, time.Time{}))
	a.sync()
	if rep := b.sync(); rep.Conflicts != 0 {
		t.Fatalf("b after the resolution synced: %d conflicts", rep.Conflicts)
	}
	for _, w := range wss {
		open, err := w.desk.Conflicts()
		must(t, err)
		if len(open) != 0 {
			t.Errorf("%s still shows %d conflicts", w.name, len(open))
		}
		got, err := w.desk.Appointment(other)
		must(t, err)
		if got.Status != core.ApptCancelled {
			t.Errorf("%s: the other booking is %s, want cancelled", w.name, got.Status)
		}
	}
	sameExports(t, wss)
}

// A user added on one workstation can log in on another after sync, and
// the changes they make there reach the first.
func TestUserAddedOnOneWorkstationLogsInOnAnother(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	a, b, c := wss[0], wss[1], wss[2]
	must(t, a.admin.AddUser(core.User{Name: "nina", Role: core.RoleNurse}, "nurse-pass-1"))
	must(t, a.admin.AddUser(core.User{Name: "rita", Role: core.RoleReception}, "rita-pass-1"))
	if st := a.state(); st.Pending != 0 {
		t.Fatalf("pending before the directory is pushed: %d", st.Pending)
	}
	a.sync()
	if st := a.state(); st.Pending != 0 {
		t.Fatalf("pending after the directory was pushed: %d", st.Pending)
	}
	b.sync()
	rita, err := b.db.Login("rita", "rita-pass-1")
	if err != nil {
		t.Fatalf("rita cannot log in on %s after sync: %v", b.name, err)
	}
	if _, err := b.db.Login("nina", "nurse-pass-1"); err != nil {
		t.Fatalf("nina cannot log in on %s after sync: %v", b.name, err)
	}
	p, err := rita.AddPatient(core.Patient{Name: "Registered By Rita", DOB: "1990-02-03"})
	must(t, err)
	b.sync()
	c.sync()
	a.sync()
	for _, w := range []*workstation{a, c} {
		got, err := w.desk.Patient(p.ID, "check")
		if err != nil || got.CreatedBy != "rita" {
			t.Fatalf("%s: rita's patient: %+v, %v", w.name, got, err)
		}
	}
	// The import is not pushed back: b and c have nothing pending.
	for _, w := range wss {
		if st := w.state(); st.Pending != 0 {
			t.Errorf("%s: %d pending after the directory came round", w.name, st.Pending)
		}
	}
	sameExports(t, wss)
}

// The first sync of the first workstation registers the organisation with
// the token; without it, or with a wrong one, it is refused. A copy's
// admin enrolls its own device on first sync; a copy's receptionist
// cannot.
func TestRegistration(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	a, b, c := wss[0], wss[1], wss[2]
	noToken := fastOptions(srv.addr)
	noToken.Token = ""
	a.connect(srv.addr, noToken)
	_, err := a.client.SyncOnce(context.Background())
	wantErr(t, err, client.ErrNotRegistered)
	bad := fastOptions(srv.addr)
	bad.Token = "wrong"
	a.connect(srv.addr, bad)
	_, err = a.client.SyncOnce(context.Background())
	wantErr(t, err, client.ErrRefused)
	if !strings.Contains(err.Error(), "wrong registration token") {
		t.Errorf("message %q does not say the token is wrong", err)
	}
	a.connect(srv.addr, fastOptions(srv.addr))
	a.sync()
	// Registering again (a lost answer) succeeds.
	must(t, a.client.Register(context.Background(), testToken))

	b.connect(srv.addr, noToken)
	b.sync()

	conn := c.conn
	if conn == nil {
		c.connect(srv.addr, noToken)
	}
	desk := client.New(c.conn, c.desk, noToken)
	_, err = desk.SyncOnce(context.Background())
	wantErr(t, err, client.ErrNotRegistered)
	converge(t, wss[:2])
	sameExports(t, wss[:2])
}

// Status is honest: pending until the server acknowledged, online only
// when the last call reached the server.
func TestStatus(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 1)
	w := wss[0]
	online(t, srv, wss)
	if st := w.state(); st.Pending == 0 {
		t.Fatal("the first workstation's setup changes are not pending before sync")
	}
	w.sync()
	if st := w.client.Status(); !st.Online || st.Err != nil || st.LastSync.IsZero() {
		t.Fatalf("status after sync: %+v", st)
	}
	if st := w.state(); st.Pending != 0 || st.Server != srv.addr {
		t.Fatalf("store state after sync: %+v", st)
	}
	newEditor(9).edit(t, w, 5)
	srv.halt()
	_, err := w.client.SyncOnce(context.Background())
	wantErr(t, err, client.ErrUnreachable)
	if !strings.Contains(err.Error(), "cannot reach the sync server at "+srv.addr) {
		t.Errorf("message %q does not name the server", err)
	}
	if st := w.client.Status(); st.Online || st.Err == nil {
		t.Fatalf("status with the server down: %+v", st)
	}
	if st := w.state(); st.Pending == 0 {
		t.Fatal("edits made while the server is down are not pending")
	}
	srv.start()
	w.sync()
	if st := w.state(); st.Pending != 0 || !w.client.Status().Online {
		t.Fatalf("after the server came back: %+v", st)
	}
}

// The server stored batches whose acknowledgement the workstation never
// recorded (it stopped first): pushing again, cut into other batches, the
// server refuses the overlap, and the client resumes after what the
// server lists, losing and doubling nothing.
func TestLostAcknowledgementResumes(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	newEditor(41).edit(t, a, 40)
	pending := a.state().Pending
	a.close()
	before, err := os.ReadFile(a.path)
	must(t, err)
	a.open()
	opts := fastOptions(srv.addr)
	opts.BatchChanges = 5
	a.connect(srv.addr, opts)
	a.sync()
	// The store as it was before the push: nothing acknowledged.
	a.close()
	must(t, os.WriteFile(a.path, before, 0o600))
	a.open()
	opts.BatchChanges = 7
	a.connect(srv.addr, opts)
	if st := a.state(); st.Pending != pending {
		t.Fatalf("restored store has %d pending, want %d", st.Pending, pending)
	}
	a.sync()
	if st := a.state(); st.Pending != 0 {
		t.Fatalf("%d changes still pending", st.Pending)
	}
	rep := b.sync()
	if rep.Pulled != pending {
		t.Fatalf("b pulled %d changes, a made %d", rep.Pulled, pending)
	}
	sameExports(t, wss)
}
