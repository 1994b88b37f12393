package store

import (
	"encoding/json"
	"errors"
	"testing"

	"medisecure/core"
)

// lastChange is the newest change in the outbox.
func lastChange(t testing.TB, f *fixture) core.Change {
	t.Helper()
	st, err := f.desk.SyncState()
	must(t, err)
	out, err := f.desk.Outbox(st.LastSeq-1, 1)
	must(t, err)
	if len(out) != 1 {
		t.Fatalf("outbox after %d holds %d changes", st.LastSeq-1, len(out))
	}
	return out[0]
}

func TestDayGuardsOfStatusChanges(t *testing.T) {
	f := newFixture(t) // the clock: Thursday 26 Nov 2026, 09:00 in Berlin
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 15, "")
	for _, to := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptNoShow} {
		seq := seqOf(t, f)
		_, err := f.desk.SetStatus(a.ID, to, "")
		if !errors.Is(err, core.ErrStatusTime) || !errors.Is(err, core.ErrInvalid) {
			t.Errorf("%s of tomorrow's visit: %v, want ErrStatusTime", to, err)
		}
		if seqOf(t, f) != seq {
			t.Errorf("a refused %s queued a change", to)
		}
	}
	f.clock.t = at(t, "2026-11-27 09:50")
	if _, err := f.desk.SetStatus(a.ID, core.ApptNoShow, ""); !errors.Is(err, core.ErrStatusTime) {
		t.Errorf("no-show ten minutes before the start: %v, want ErrStatusTime", err)
	}
	if _, err := f.desk.SetStatus(a.ID, core.ApptCheckedIn, ""); err != nil {
		t.Errorf("check-in on the day: %v", err)
	}
}

func TestStatusCorrectionsNeedAReasonAndAreRecorded(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 15, "Room 1")
	f.clock.t = at(t, "2026-11-27 10:20")
	a, err := f.desk.SetStatus(a.ID, core.ApptNoShow, "")
	must(t, err)
	// Issue 7: "cannot go from no-show to checked in", and nothing could undo it.
	if _, err := f.desk.SetStatus(a.ID, core.ApptBooked, ""); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("undo a no-show without a reason: %v, want ErrInvalid", err)
	}
	back, ok := core.UndoOf(core.ApptBooked, core.ApptNoShow)
	if !ok {
		t.Fatal("no undo for a no-show")
	}
	a, err = f.desk.SetStatus(a.ID, back, "she was in the waiting room")
	if err != nil || a.Status != core.ApptBooked {
		t.Fatalf("undo a no-show: %v %s", err, a.Status)
	}
	c := lastChange(t, f)
	var reason string
	if err := json.Unmarshal(c.Fields["status_reason"], &reason); err != nil || reason != "she was in the waiting room" || c.Author != "desk" {
		t.Errorf("the correction's change records %q by %s (%v)", reason, c.Author, err)
	}
	a, err = f.desk.SetStatus(a.ID, core.ApptCheckedIn, "")
	must(t, err)
	if !a.CheckedInAt.Equal(f.clock.t) {
		t.Errorf("checked in at %v", a.CheckedInAt)
	}
	a, err = f.desk.SetStatus(a.ID, core.ApptBooked, "checked in the wrong Ann")
	if err != nil || a.Status != core.ApptBooked || !a.CheckedInAt.IsZero() {
		t.Fatalf("undo a check-in: %v %s %v", err, a.Status, a.CheckedInAt)
	}
	got, err := f.desk.Appointment(a.ID)
	if err != nil || got.Status != core.ApptBooked || got.StatusReason != "checked in the wrong Ann" {
		t.Errorf("stored: %v %+v", err, got)
	}
}

func TestUndoingACancellationChecksTheSlot(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 15, "")
	_, err := f.desk.SetStatus(a.ID, core.ApptCancelled, "patient called")
	must(t, err)
	book(t, f, bob.ID, "drwho", "2026-11-27 10:00", 15, "")
	seq := seqOf(t, f)
	if _, err := f.desk.SetStatus(a.ID, core.ApptBooked, "called back: still coming"); !errors.Is(err, core.ErrClash) {
		t.Errorf("undo a cancellation whose slot is taken: %v, want ErrClash", err)
	}
	if seqOf(t, f) != seq {
		t.Error("a refused undo queued a change")
	}
}

func TestMovingACheckedInVisitIsRefusedUntilCorrected(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 15, "")
	f.clock.t = at(t, "2026-11-27 09:40")
	_, err := f.desk.SetStatus(a.ID, core.ApptCheckedIn, "")
	must(t, err)
	if core.Movable(core.ApptCheckedIn) {
		t.Fatal("core says a checked-in visit is movable")
	}
	if _, err := f.desk.Move(a.ID, at(t, "2026-11-27 11:00"), 15, ""); !errors.Is(err, core.ErrTransition) {
		t.Errorf("move a checked-in visit: %v, want ErrTransition", err)
	}
	_, err = f.desk.SetStatus(a.ID, core.ApptBooked, "doctor running late, moving her")
	must(t, err)
	if _, err := f.desk.Move(a.ID, at(t, "2026-11-27 11:00"), 15, ""); err != nil {
		t.Errorf("move after the correction: %v", err)
	}
}

func TestBookingInThePastIsRefused(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	f.clock.t = at(t, "2026-11-27 10:07")
	seq := seqOf(t, f)
	_, err := f.desk.Book(core.Appointment{PatientID: ann.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 15})
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.For("start") != "is in the past" {
		t.Fatalf("booking at 09:00 at 10:07: %v, want start is in the past", err)
	}
	if seqOf(t, f) != seq {
		t.Error("a refused booking queued a change")
	}
	a := book(t, f, ann.ID, "drwho", "2026-11-27 11:00", 15, "")
	if _, err := f.desk.Move(a.ID, at(t, "2026-11-27 09:30"), 15, ""); !errors.As(err, &ve) {
		t.Errorf("moving into the past: %v, want a validation error", err)
	}
}

func TestNextFreeSlotIsNeverInThePast(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 15, "")
	book(t, f, ann.ID, "drwho", "2026-11-27 10:15", 15, "")
	f.clock.t = at(t, "2026-11-27 10:07")
	err := f.desk.CheckSlot(core.Appointment{PatientID: bob.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 15})
	c := clashOf(t, err)
	if !c.HasNext || !c.Next.Equal(at(t, "2026-11-27 10:30")) {
		t.Errorf("next free = %v, want 10:30 (09:15 has passed, 10:15 is taken)", c.Next.In(f.db.Zone()))
	}
}
