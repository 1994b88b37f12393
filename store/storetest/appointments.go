package storetest

import (
	"errors"
	"testing"

	"medisecure/core"
)

func testBook(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	bob := c.patient(t, "Bob Jones", "1980-05-06")
	late := c.book(t, ann.ID, "2026-11-27 11:00", 15)
	early := c.book(t, bob.ID, "2026-11-27 09:30", 30)
	c.book(t, bob.ID, "2026-11-30 09:00", 15)
	if early.Status != core.ApptBooked || early.ID.Bytes() == nil {
		t.Errorf("booked as %+v", early)
	}
	day, err := c.Appointments.Appointments("2026-11-27", c.Doctor)
	if err != nil || len(day) != 2 || day[0].ID != early.ID || day[1].ID != late.ID {
		t.Errorf("the day lists %v (%v), want early then late", ids(day), err)
	}
	got, err := c.Appointments.Appointment(late.ID)
	if err != nil || !got.Start.Equal(c.at(t, "2026-11-27 11:00")) || got.Minutes != 15 {
		t.Errorf("Appointment = %+v, %v", got, err)
	}
	_, err = c.Appointments.Book(core.Appointment{PatientID: ann.ID, Doctor: c.Doctor, Start: c.at(t, "2026-11-27 14:00"), Minutes: 3})
	field(t, err, "minutes")
	_, err = c.Appointments.Book(core.Appointment{PatientID: ann.ID, Doctor: c.Doctor, Start: c.at(t, "2026-11-27 14:00"), Minutes: 15, Room: "Room\x1b[2J"})
	field(t, err, "room")
}

func testClash(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	bob := c.patient(t, "Bob Jones", "1980-05-06")
	c.book(t, ann.ID, "2026-11-27 09:00", 15)
	want := core.Appointment{PatientID: bob.ID, Doctor: c.Doctor, Start: c.at(t, "2026-11-27 09:00"), Minutes: 15}
	for name, err := range map[string]error{"CheckSlot": c.Appointments.CheckSlot(want), "Book": func() error { _, err := c.Appointments.Book(want); return err }()} {
		var clash *core.ClashError
		if !errors.As(err, &clash) || !errors.Is(err, core.ErrClash) {
			t.Fatalf("%s over a taken slot: %v, want a *core.ClashError", name, err)
		}
		if !clash.HasNext || !clash.Next.Equal(c.at(t, "2026-11-27 09:15")) {
			t.Errorf("%s: next free %v, want 09:15", name, clash.Next.In(c.Zone))
		}
	}
	want.Start = c.at(t, "2026-11-28 09:00") // a Saturday
	var clash *core.ClashError
	if err := c.Appointments.CheckSlot(want); !errors.As(err, &clash) || !clash.OutsideHours {
		t.Errorf("a Saturday: %v, want outside hours", err)
	}
	// The next free slot is never in the past.
	c.book(t, ann.ID, "2026-11-27 10:15", 15)
	c.clock.Set(c.at(t, "2026-11-27 10:07"))
	want.Start = c.at(t, "2026-11-27 09:00")
	if err := c.Appointments.CheckSlot(want); !errors.As(err, &clash) || !clash.Next.Equal(c.at(t, "2026-11-27 10:30")) {
		t.Errorf("next free at 10:07: %v (%v), want 10:30", err, clash)
	}
}

func testPast(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	c.clock.Set(c.at(t, "2026-11-27 10:07"))
	_, err := c.Appointments.Book(core.Appointment{PatientID: ann.ID, Doctor: c.Doctor, Start: c.at(t, "2026-11-27 09:00"), Minutes: 15})
	field(t, err, "start")
	a := c.book(t, ann.ID, "2026-11-27 11:00", 15)
	_, err = c.Appointments.Move(a.ID, c.at(t, "2026-11-27 09:30"), 15, "")
	field(t, err, "start")
}

func testMove(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	bob := c.patient(t, "Bob Jones", "1980-05-06")
	a := c.book(t, ann.ID, "2026-11-27 09:00", 15)
	c.book(t, bob.ID, "2026-11-27 10:00", 15)
	moved, err := c.Appointments.Move(a.ID, c.at(t, "2026-11-27 11:00"), 30, "Room 1")
	if err != nil || !moved.Start.Equal(c.at(t, "2026-11-27 11:00")) || moved.Minutes != 30 || moved.Room != "Room 1" {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	if _, err := c.Appointments.Move(a.ID, c.at(t, "2026-11-27 10:00"), 15, ""); !errors.Is(err, core.ErrClash) {
		t.Errorf("move into a taken slot: %v, want ErrClash", err)
	}
	c.clock.Set(c.at(t, "2026-11-27 08:30"))
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptCheckedIn, ""); err != nil {
		t.Fatalf("check in: %v", err)
	}
	if core.Movable(core.ApptCheckedIn) {
		t.Fatal("core says checked-in visits move")
	}
	if _, err := c.Appointments.Move(a.ID, c.at(t, "2026-11-27 14:00"), 15, ""); !errors.Is(err, core.ErrTransition) {
		t.Errorf("move a checked-in visit: %v, want ErrTransition", err)
	}
}

func testDayGuards(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	a := c.book(t, ann.ID, "2026-11-27 10:00", 15)
	for _, to := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptNoShow} {
		if _, err := c.Appointments.SetStatus(a.ID, to, ""); !errors.Is(err, core.ErrStatusTime) {
			t.Errorf("%s of tomorrow's visit: %v, want ErrStatusTime", to, err)
		}
	}
	c.clock.Set(c.at(t, "2026-11-27 09:50"))
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptNoShow, ""); !errors.Is(err, core.ErrStatusTime) {
		t.Errorf("no-show before the start: %v, want ErrStatusTime", err)
	}
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptCancelled, ""); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("cancel without a reason: %v, want ErrInvalid", err)
	}
	for _, to := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted} {
		got, err := c.Appointments.SetStatus(a.ID, to, "")
		if err != nil || got.Status != to {
			t.Fatalf("to %s on the day: %+v, %v", to, got, err)
		}
	}
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptCancelled, "too late"); !errors.Is(err, core.ErrTransition) {
		t.Errorf("cancel a completed visit: %v, want ErrTransition", err)
	}
}

func testCorrections(t *testing.T, c *clinic) {
	c.ready(t)
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	bob := c.patient(t, "Bob Jones", "1980-05-06")
	a := c.book(t, ann.ID, "2026-11-27 10:00", 15)
	b := c.book(t, bob.ID, "2026-11-27 11:00", 15)
	c.clock.Set(c.at(t, "2026-11-27 10:20"))
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptNoShow, ""); err != nil {
		t.Fatalf("no-show: %v", err)
	}
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptBooked, ""); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("undo without a reason: %v, want ErrInvalid", err)
	}
	back, ok := core.UndoOf(core.ApptBooked, core.ApptNoShow)
	got, err := c.Appointments.SetStatus(a.ID, back, "she was in the waiting room")
	if !ok || err != nil || got.Status != core.ApptBooked || got.StatusReason != "she was in the waiting room" {
		t.Fatalf("undo a no-show: %+v, %v", got, err)
	}
	if _, err := c.Appointments.SetStatus(a.ID, core.ApptCheckedIn, ""); err != nil {
		t.Fatalf("check in after the undo: %v", err)
	}
	got, err = c.Appointments.SetStatus(a.ID, core.ApptBooked, "the wrong Ann")
	if err != nil || got.Status != core.ApptBooked || !got.CheckedInAt.IsZero() {
		t.Errorf("undo a check-in: %+v, %v", got, err)
	}
	// Undoing a cancellation needs the slot to be free still.
	if _, err := c.Appointments.SetStatus(b.ID, core.ApptCancelled, "called"); err != nil {
		t.Fatal(err)
	}
	c.book(t, ann.ID, "2026-11-27 11:00", 15)
	if _, err := c.Appointments.SetStatus(b.ID, core.ApptBooked, "called back"); !errors.Is(err, core.ErrClash) {
		t.Errorf("undo a cancellation whose slot is taken: %v, want ErrClash", err)
	}
}

func testVisits(t *testing.T, c *clinic) {
	c.ready(t)
	c.need(t, "visits")
	ann := c.patient(t, "Ann Smith", "1990-01-02")
	bob := c.patient(t, "Bob Jones", "1980-05-06")
	later := c.book(t, ann.ID, "2026-12-03 10:00", 15)
	first := c.book(t, ann.ID, "2026-11-26 10:00", 15)
	c.book(t, bob.ID, "2026-11-27 10:00", 15)
	got, err := c.Visits.PatientAppointments(ann.ID)
	if err != nil || len(got) != 2 || got[0].ID != first.ID || got[1].ID != later.ID {
		t.Fatalf("Ann's visits: %v, %v, want first then later", ids(got), err)
	}
	history, upcoming := core.SplitVisits(got, c.at(t, "2026-11-27 08:00"))
	if len(history) != 1 || len(upcoming) != 1 {
		t.Errorf("history %v, upcoming %v", ids(history), ids(upcoming))
	}
}
