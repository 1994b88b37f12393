package store

import (
	"encoding/json"
	"errors"
	"testing"

	"medisecure/core"
)

func TestPatientAppointmentsListsHistoryAndUpcoming(t *testing.T) {
	f := newFixture(t) // Thursday 26 Nov 2026, 09:00 in Berlin
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	later := book(t, f, ann.ID, "drwho", "2026-12-03 10:00", 15, "")
	first := book(t, f, ann.ID, "drwho", "2026-11-26 10:00", 15, "")
	cancelled := book(t, f, ann.ID, "drwho", "2026-11-30 11:00", 15, "")
	book(t, f, bob.ID, "drwho", "2026-11-27 10:00", 15, "")
	_, err := f.desk.SetStatus(cancelled.ID, core.ApptCancelled, "patient called")
	must(t, err)
	moved, err := f.desk.Move(later.ID, at(t, "2026-11-27 09:00"), 15, "")
	must(t, err)

	got, err := f.desk.PatientAppointments(ann.ID)
	must(t, err)
	want := []core.ID{first.ID, moved.ID, cancelled.ID}
	if len(got) != len(want) {
		t.Fatalf("got %d appointments, want %d: %+v", len(got), len(want), got)
	}
	for i, a := range got {
		if a.ID != want[i] {
			t.Errorf("appointment %d is %s at %v, want %s", i, a.ID, a.Start, want[i])
		}
	}
	if got[2].Status != core.ApptCancelled {
		t.Errorf("the cancelled visit reads %s", got[2].Status)
	}
	f.clock.t = at(t, "2026-11-27 08:00")
	history, upcoming := core.SplitVisits(got, f.clock.t)
	if len(history) != 1 || history[0].ID != first.ID || len(upcoming) != 2 || upcoming[0].ID != moved.ID {
		t.Errorf("history %+v, upcoming %+v", history, upcoming)
	}

	entries, err := f.admin.AuditList(ann.ID)
	must(t, err)
	if n := len(entries); n == 0 || entries[n-1].Reason != "visit history and upcoming appointments" || entries[n-1].User != "desk" {
		t.Errorf("the view was not logged: %+v", entries)
	}
	if _, err := f.desk.PatientAppointments(fakeID(9)); err == nil {
		t.Error("the visits of nobody were listed")
	}
}

func TestRemoteAppointmentsReachTheVisitIndex(t *testing.T) {
	a, b, _ := twoPeers(t)
	ann, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	appt, err := a.desk.Book(core.Appointment{PatientID: ann.ID, Doctor: "drwho", Start: at(t, "2026-11-27 10:00"), Minutes: 15})
	must(t, err)
	b.apply(t, a.outbox(t, 0))
	got, err := b.desk.PatientAppointments(ann.ID)
	must(t, err)
	if len(got) != 1 || got[0].ID != appt.ID {
		t.Fatalf("visits on the other workstation: %+v", got)
	}
}

func TestRemoteChangeWithEscapesIsRefused(t *testing.T) {
	a, b, _ := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	changes := a.outbox(t, 0)
	evil := changes[len(changes)-1]
	evil.Fields = map[string]json.RawMessage{}
	for k, v := range changes[len(changes)-1].Fields {
		evil.Fields[k] = v
	}
	evil.Fields["name"] = json.RawMessage(`"Evil\u001b[2J\u001b]0;PWNED\u001b\\Mallory"`)
	res, err := b.desk.ApplyRemote(append(changes[:len(changes)-1:len(changes)-1], evil), 0)
	if err != nil || res.Quarantined != 1 {
		t.Fatalf("a remote name with escape sequences: %+v %v, want it quarantined", res, err)
	}
	if _, err := b.desk.Patient(p.ID, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("the refused patient is stored: %v", err)
	}
}
