package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"medisecure/core"
)

// addDoctor adds a doctor with the fixture doctor's hours, logged in.
func addDoctor(t testing.TB, f *fixture, name string) *Session {
	t.Helper()
	must(t, f.admin.AddUser(core.User{Name: name, Role: core.RoleDoctor}, name+"-pass"))
	s, err := f.db.Login(name, name+"-pass")
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	sc, err := f.desk.Schedule("drwho")
	must(t, err)
	sc.Meta, sc.Doctor = core.Meta{}, name
	if _, err := s.SetSchedule(sc); err != nil {
		t.Fatalf("schedule of %s: %v", name, err)
	}
	return s
}

// book books through the desk and fails the test on error.
func book(t testing.TB, f *fixture, patient core.ID, doctor, start string, minutes int, room string) core.Appointment {
	t.Helper()
	a, err := f.desk.Book(core.Appointment{PatientID: patient, Doctor: doctor, Start: at(t, start), Minutes: minutes, Room: room})
	if err != nil {
		t.Fatalf("book %s %s: %v", doctor, start, err)
	}
	return a
}

// clashOf fails unless err is a *core.ClashError.
func clashOf(t testing.TB, err error) *core.ClashError {
	t.Helper()
	var clash *core.ClashError
	if !errors.As(err, &clash) {
		t.Fatalf("%v, want a *core.ClashError", err)
	}
	return clash
}

// seqOf is the fixture's newest local change.
func seqOf(t testing.TB, f *fixture) uint64 {
	t.Helper()
	st, err := f.desk.SyncState()
	must(t, err)
	return st.LastSeq
}

func TestMove(t *testing.T) {
	t.Run("to a free slot", func(t *testing.T) {
		f := newFixture(t)
		ann := f.patient(t, "Ann Smith", "1990-01-02", "")
		bob := f.patient(t, "Bob Jones", "1980-05-06", "")
		a := book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 15, "Room 1")
		moved, err := f.desk.Move(a.ID, at(t, "2026-11-30 10:00"), 30, "Room 2")
		must(t, err)
		got, err := f.desk.Appointment(a.ID)
		must(t, err)
		for _, x := range []core.Appointment{moved, got} {
			if !x.Start.Equal(at(t, "2026-11-30 10:00")) || x.Minutes != 30 || x.Room != "Room 2" || x.Status != core.ApptBooked {
				t.Errorf("moved appointment = %+v", x)
			}
		}
		// The old slot is free, the new one taken, and the day lists follow.
		book(t, f, bob.ID, "drwho", "2026-11-27 09:00", 15, "Room 1")
		_, err = f.desk.Book(core.Appointment{PatientID: bob.ID, Doctor: "drwho", Start: at(t, "2026-11-30 10:15"), Minutes: 15})
		if c := clashOf(t, err); len(c.Clashes) != 1 || c.Clashes[0].With != a.ID {
			t.Errorf("clashes = %+v, want the moved appointment", c.Clashes)
		}
		for day, want := range map[core.Date]int{"2026-11-27": 1, "2026-11-30": 1} {
			if got, err := f.desk.Appointments(day, "drwho"); err != nil || len(got) != want {
				t.Errorf("%s lists %d (%v), want %d", day, len(got), err, want)
			}
		}
	})
	t.Run("within its own slot", func(t *testing.T) {
		f := newFixture(t)
		ann := f.patient(t, "Ann Smith", "1990-01-02", "")
		a := book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 30, "")
		if _, err := f.desk.Move(a.ID, at(t, "2026-11-27 09:15"), 30, ""); err != nil {
			t.Errorf("moving over its own old time: %v", err)
		}
	})
	t.Run("into a clash", func(t *testing.T) {
		f := newFixture(t)
		ann := f.patient(t, "Ann Smith", "1990-01-02", "")
		bob := f.patient(t, "Bob Jones", "1980-05-06", "")
		a := book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 15, "")
		b := book(t, f, bob.ID, "drwho", "2026-11-27 10:00", 15, "")
		seq := seqOf(t, f)
		_, err := f.desk.Move(a.ID, at(t, "2026-11-27 10:00"), 15, "")
		c := clashOf(t, err)
		if len(c.Clashes) != 1 || c.Clashes[0].With != b.ID || c.Clashes[0].On != "doctor" {
			t.Errorf("clashes = %+v", c.Clashes)
		}
		if !c.HasNext || !c.Next.Equal(at(t, "2026-11-27 10:15")) {
			t.Errorf("next = %v %v, want 10:15", c.Next, c.HasNext)
		}
		if got, err := f.desk.Appointment(a.ID); err != nil || !got.Start.Equal(a.Start) {
			t.Errorf("after a refused move: %+v %v", got, err)
		}
		if s := seqOf(t, f); s != seq {
			t.Errorf("a refused move queued changes: seq %d → %d", seq, s)
		}
	})
	t.Run("outside hours", func(t *testing.T) {
		f := newFixture(t)
		ann := f.patient(t, "Ann Smith", "1990-01-02", "")
		a := book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 15, "")
		_, err := f.desk.Move(a.ID, at(t, "2026-11-27 12:00"), 15, "")
		if c := clashOf(t, err); !c.OutsideHours || !c.Next.Equal(at(t, "2026-11-27 13:00")) {
			t.Errorf("clash = %+v, want outside hours, next 13:00", c)
		}
	})
	for _, st := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptCancelled, core.ApptNoShow} {
		t.Run("when "+string(st), func(t *testing.T) {
			f := newFixture(t)
			ann := f.patient(t, "Ann Smith", "1990-01-02", "")
			a := book(t, f, ann.ID, "drwho", "2026-11-27 09:00", 15, "")
			f.clock.t = at(t, "2026-11-27 09:05") // the day guards: on the day, after the start
			_, err := f.desk.SetStatus(a.ID, st, "patient called")
			must(t, err)
			seq := seqOf(t, f)
			if _, err := f.desk.Move(a.ID, at(t, "2026-11-27 10:00"), 15, ""); !errors.Is(err, core.ErrTransition) {
				t.Errorf("moving a %s appointment: %v, want ErrTransition", st, err)
			}
			if s := seqOf(t, f); s != seq {
				t.Errorf("a refused move queued changes: seq %d → %d", seq, s)
			}
		})
	}
	t.Run("unknown appointment", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.desk.Move(fakeID(1), at(t, "2026-11-27 10:00"), 15, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("moving nothing: %v, want ErrNotFound", err)
		}
	})
}

func TestClashesOnDoctorRoomAndPatient(t *testing.T) {
	f := newFixture(t)
	addDoctor(t, f, "drno")
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	first := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 30, "Room 1")
	for _, tc := range []struct {
		name    string
		patient core.ID
		doctor  string
		start   string
		room    string
		on      string // "" when the booking fits
	}{
		{"same doctor", bob.ID, "drwho", "2026-11-27 10:15", "", "doctor"},
		{"same room", bob.ID, "drno", "2026-11-27 10:15", "Room 1", "room"},
		{"same patient", ann.ID, "drno", "2026-11-27 10:15", "Room 2", "patient"},
		{"same patient, no room", ann.ID, "drno", "2026-11-27 10:00", "", "patient"},
		{"another room and doctor", bob.ID, "drno", "2026-11-27 10:00", "Room 2", ""},
		{"right after", bob.ID, "drwho", "2026-11-27 10:30", "Room 1", ""},
		{"right before", bob.ID, "drwho", "2026-11-27 09:45", "Room 1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.desk.CheckSlot(core.Appointment{PatientID: tc.patient, Doctor: tc.doctor, Start: at(t, tc.start), Minutes: 15, Room: tc.room})
			if tc.on == "" {
				if err != nil {
					t.Errorf("check: %v", err)
				}
				return
			}
			c := clashOf(t, err)
			if len(c.Clashes) != 1 || c.Clashes[0].With != first.ID || c.Clashes[0].On != tc.on {
				t.Errorf("clashes = %+v, want one on the %s with %s", c.Clashes, tc.on, first.ID)
			}
			if c.OutsideHours {
				t.Error("reported outside hours")
			}
		})
	}
}

func TestBookRefusesWhatIsNotThere(t *testing.T) {
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "drnew", Role: core.RoleDoctor}, "drnew-pass"))
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	gone := f.patient(t, "Bob Jones", "1980-05-06", "")
	must(t, f.desk.Delete(core.KindPatient, gone.ID))
	for _, tc := range []struct {
		name    string
		patient core.ID
		doctor  string
		minutes int
		field   string // the field a *core.ValidationError names
		want    error  // or the error wanted instead
	}{
		{name: "a receptionist as doctor", patient: ann.ID, doctor: "desk", minutes: 15, field: "doctor"},
		{name: "an admin as doctor", patient: ann.ID, doctor: "admin", minutes: 15, field: "doctor"},
		{name: "an unknown doctor", patient: ann.ID, doctor: "nobody", minutes: 15, field: "doctor"},
		{name: "an unknown patient", patient: fakeID(1), doctor: "drwho", minutes: 15, field: "patient"},
		{name: "a deleted patient", patient: gone.ID, doctor: "drwho", minutes: 15, field: "patient"},
		{name: "a malformed patient ID", patient: "not-an-id", doctor: "drwho", minutes: 15, field: "patient"},
		{name: "no length", patient: ann.ID, doctor: "drwho", minutes: 0, field: "minutes"},
		{name: "a doctor without hours", patient: ann.ID, doctor: "drnew", minutes: 15, want: ErrNoSchedule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq := seqOf(t, f)
			_, err := f.desk.Book(core.Appointment{PatientID: tc.patient, Doctor: tc.doctor, Start: at(t, "2026-11-27 10:00"), Minutes: tc.minutes})
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("book: %v, want %v", err, tc.want)
				}
			} else {
				var v *core.ValidationError
				if !errors.As(err, &v) || v.For(tc.field) == "" {
					t.Errorf("book: %v, want a *core.ValidationError naming %s", err, tc.field)
				}
			}
			if s := seqOf(t, f); s != seq {
				t.Errorf("a refused booking queued changes: seq %d → %d", seq, s)
			}
		})
	}
}

func TestNextFreeSkipsLunchAndWeekends(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	book(t, f, ann.ID, "drwho", "2026-11-27 11:30", 30, "")
	book(t, f, ann.ID, "drwho", "2026-11-30 09:00", 15, "")
	for _, tc := range []struct {
		name    string
		start   string
		minutes int
		outside bool
		next    string
	}{
		{"before lunch, taken", "2026-11-27 11:30", 30, false, "2026-11-27 13:00"},
		{"over lunch", "2026-11-27 11:45", 30, true, "2026-11-27 13:00"},
		{"at lunch", "2026-11-27 12:15", 15, true, "2026-11-27 13:00"},
		{"past closing on a Friday", "2026-11-27 16:45", 30, true, "2026-11-30 09:15"},
		{"on a Saturday", "2026-11-28 10:00", 15, true, "2026-11-30 09:15"},
		{"on a Sunday", "2026-11-29 09:00", 15, true, "2026-11-30 09:15"},
		{"early on a Monday", "2026-11-30 07:00", 15, true, "2026-11-30 09:15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq := seqOf(t, f)
			err := f.desk.CheckSlot(core.Appointment{PatientID: bob.ID, Doctor: "drwho", Start: at(t, tc.start), Minutes: tc.minutes})
			c := clashOf(t, err)
			if c.OutsideHours != tc.outside {
				t.Errorf("outside hours = %v, want %v", c.OutsideHours, tc.outside)
			}
			if !c.HasNext || !c.Next.Equal(at(t, tc.next)) {
				t.Errorf("next = %v (%v), want %s", c.Next.In(f.db.Zone()), c.HasNext, tc.next)
			}
			if s := seqOf(t, f); s != seq {
				t.Errorf("a check queued changes: seq %d → %d", seq, s)
			}
		})
	}
}

func TestFreedSlotsCanBeBookedAgain(t *testing.T) {
	for _, st := range []core.AppointmentStatus{core.ApptNoShow, core.ApptCancelled} {
		t.Run(string(st), func(t *testing.T) {
			f := newFixture(t)
			ann := f.patient(t, "Ann Smith", "1990-01-02", "")
			bob := f.patient(t, "Bob Jones", "1980-05-06", "")
			a := book(t, f, ann.ID, "drwho", "2026-11-27 10:00", 30, "Room 1")
			f.clock.t = at(t, "2026-11-27 10:05") // a no-show only after the start
			_, err := f.desk.SetStatus(a.ID, st, "did not come")
			must(t, err)
			book(t, f, bob.ID, "drwho", "2026-11-27 10:15", 15, "Room 1")
			if cs, err := f.desk.Conflicts(); err != nil || len(cs) != 0 {
				t.Errorf("conflicts = %+v %v", cs, err)
			}
			day, err := f.desk.Appointments("2026-11-27", "drwho")
			if err != nil || len(day) != 2 {
				t.Errorf("the day lists %d (%v), want both", len(day), err)
			}
		})
	}
}

func TestAppointmentsOfADay(t *testing.T) {
	f := newFixture(t)
	addDoctor(t, f, "drno")
	var p []core.Patient
	for _, n := range []string{"Ann Smith", "Bob Jones", "Cleo Park", "Dan Wu", "Eve Ng"} {
		p = append(p, f.patient(t, n, "1980-01-01", ""))
	}
	w10 := book(t, f, p[0].ID, "drwho", "2026-11-27 10:00", 15, "")
	n9 := book(t, f, p[1].ID, "drno", "2026-11-27 09:00", 15, "")
	n10 := book(t, f, p[2].ID, "drno", "2026-11-27 10:00", 15, "")
	w930 := book(t, f, p[3].ID, "drwho", "2026-11-27 09:30", 15, "")
	book(t, f, p[4].ID, "drwho", "2026-11-30 09:00", 15, "")
	for _, tc := range []struct {
		doctor string
		want   []core.ID
	}{
		{"", []core.ID{n9.ID, w930.ID, n10.ID, w10.ID}},
		{"drno", []core.ID{n9.ID, n10.ID}},
		{"drwho", []core.ID{w930.ID, w10.ID}},
		{"nobody", nil},
	} {
		t.Run("doctor "+tc.doctor, func(t *testing.T) {
			got, err := f.desk.Appointments("2026-11-27", tc.doctor)
			must(t, err)
			var gotIDs []core.ID
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			if !equalIDs(gotIDs, tc.want) {
				t.Errorf("day = %v, want %v", gotIDs, tc.want)
			}
		})
	}
	if _, err := f.desk.Appointments("27.11.2026", ""); err == nil {
		t.Error("a malformed day was accepted")
	}
}

func TestOutboxGetsOneChangePerWrite(t *testing.T) {
	f := newFixture(t)
	f.clock.t = at(t, "2026-11-27 07:00") // the day of the visits, so check-in is allowed
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	bookAt := func(p core.ID, start string) (core.Appointment, error) {
		return f.desk.Book(core.Appointment{PatientID: p, Doctor: "drwho", Start: at(t, start), Minutes: 15})
	}
	moveTo := func(id core.ID, start string) error {
		_, err := f.desk.Move(id, at(t, start), 15, "")
		return err
	}
	status := func(id core.ID, to core.AppointmentStatus, reason string) error {
		_, err := f.desk.SetStatus(id, to, reason)
		return err
	}
	var a, b core.Appointment
	// The steps build on each other, so they run in order in one test.
	for _, step := range []struct {
		name string
		do   func() error
		want int // changes queued
	}{
		{"book", func() (err error) { a, err = bookAt(ann.ID, "2026-11-27 09:00"); return err }, 1},
		{"book another", func() (err error) { b, err = bookAt(bob.ID, "2026-11-27 10:00"); return err }, 1},
		{"book a taken slot", func() error { _, err := bookAt(bob.ID, "2026-11-27 09:00"); return refused(err, core.ErrClash) }, 0},
		{"check a slot", func() error {
			return refused(f.desk.CheckSlot(core.Appointment{PatientID: bob.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 15}), core.ErrClash)
		}, 0},
		{"move", func() error { return moveTo(a.ID, "2026-11-27 11:00") }, 1},
		{"move into a clash", func() error { return refused(moveTo(a.ID, "2026-11-27 10:00"), core.ErrClash) }, 0},
		{"check in", func() error { return status(a.ID, core.ApptCheckedIn, "") }, 1},
		{"an illegal status", func() error { return refused(status(a.ID, core.ApptCompleted, ""), core.ErrTransition) }, 0},
		{"move a checked-in one", func() error { return refused(moveTo(a.ID, "2026-11-27 14:00"), core.ErrTransition) }, 0},
		{"cancel without a reason", func() error { return refused(status(b.ID, core.ApptCancelled, ""), core.ErrInvalid) }, 0},
		{"cancel", func() error { return status(b.ID, core.ApptCancelled, "patient called") }, 1},
		{"open a patient", func() error { _, err := f.desk.Patient(ann.ID, ""); return err }, 0},
		{"search", func() error { _, err := f.desk.FindPatients("ann", 5); return err }, 0},
		{"list a day", func() error { _, err := f.desk.Appointments("2026-11-27", ""); return err }, 0},
		{"save a patient unchanged", func() error { _, err := f.desk.UpdatePatient(ann); return err }, 0},
		{"change a phone", func() error { ann.Phone = "555 0101"; _, err := f.desk.UpdatePatient(ann); return err }, 1},
		{"delete a patient", func() error { return f.desk.Delete(core.KindPatient, bob.ID) }, 1},
		{"book a deleted patient", func() error { _, err := bookAt(bob.ID, "2026-11-27 15:00"); return refused(err, core.ErrInvalid) }, 0},
		{"register", func() error {
			_, err := f.desk.AddPatient(core.Patient{Name: "Cleo Park", DOB: "1970-07-07"})
			return err
		}, 1},
		{"register an invalid patient", func() error {
			_, err := f.desk.AddPatient(core.Patient{Name: "Cleo Park", DOB: "07/07/1970"})
			return refused(err, core.ErrInvalid)
		}, 0},
	} {
		before, err := f.desk.SyncState()
		must(t, err)
		f.clock.t = f.clock.t.Add(time.Second)
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		after, err := f.desk.SyncState()
		must(t, err)
		if got := after.Pending - before.Pending; got != step.want {
			t.Errorf("%s: pending %d → %d, want %d more", step.name, before.Pending, after.Pending, step.want)
		}
		out, err := f.desk.Outbox(before.LastSeq, 100)
		must(t, err)
		if len(out) != step.want || after.LastSeq != before.LastSeq+uint64(step.want) {
			t.Errorf("%s: outbox has %d new changes (seq %d → %d), want %d", step.name, len(out), before.LastSeq, after.LastSeq, step.want)
		}
	}
}

// refused returns nil when err is the refusal wanted, and an error saying
// so otherwise.
func refused(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	if err == nil {
		return errors.New("accepted, want a refusal")
	}
	return err
}

// BenchmarkBook books appointments one by one, with fsync off so the
// figure is the booking's own work, and reports the pages each booking's
// commit writes (bbolt's TxStats) beside time and allocations.
func BenchmarkBook(b *testing.B) {
	f := newFixture(b)
	patients := make([]core.Patient, 50)
	for i := range patients {
		patients[i] = f.patient(b, fmt.Sprintf("Patient %02d", i), "1980-01-01", "")
	}
	f.close(b)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF, NoSync: true})
	must(b, err)
	f.db = db
	desk, err := db.Login("desk", "desk-pass")
	must(b, err)
	day := time.Date(2027, 1, 4, 0, 0, 0, 0, db.Zone())
	s0 := db.bolt.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		// 28 slots a weekday between 9:00 and 17:00 (lunch is closed).
		d, slot := n/28, n%28
		start := day.AddDate(0, 0, d/5*7+d%5).Add(9*time.Hour + time.Duration(slot)*15*time.Minute)
		if slot >= 12 {
			start = start.Add(time.Hour)
		}
		if _, err := desk.Book(core.Appointment{PatientID: patients[n%len(patients)].ID, Doctor: "drwho", Start: start, Minutes: 15}); err != nil {
			b.Fatalf("booking %d at %v: %v", n, start, err)
		}
	}
	b.StopTimer()
	s1 := db.bolt.Stats()
	d := s1.Sub(&s0)
	b.ReportMetric(float64(d.TxStats.GetPageCount())/float64(b.N), "pages/op")
	b.ReportMetric(float64(d.TxStats.GetWrite())/float64(b.N), "writes/op")
}

// TestBookingReadsTheScheduleAsItNowIs checks that the schedule a booking
// checks against is the one stored now, however often it was read
// before (scheduleOf keeps the last one opened): hours cut short refuse
// the booking they allowed, a copy handed out and changed changes nothing
// kept, and hours restored allow it again.
func TestBookingReadsTheScheduleAsItNowIs(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := core.Appointment{PatientID: ann.ID, Doctor: "drwho", Start: at(t, "2026-11-30 16:30"), Minutes: 15}
	must(t, f.desk.CheckSlot(a))
	must(t, f.desk.CheckSlot(a))
	sc, err := f.desk.Schedule("drwho")
	must(t, err)
	sc.Hours[time.Monday][1].End = 16 * 60 // a copy: nothing stored or kept changes
	if again, err := f.desk.Schedule("drwho"); err != nil || again.Hours[time.Monday][1].End != 17*60 {
		t.Fatalf("changing a schedule handed out changed the one read next: %v %+v", err, again.Hours[time.Monday])
	}
	short := sc
	short.Hours[time.Monday] = []core.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 16 * 60}}
	_, err = f.doctor.SetSchedule(short)
	must(t, err)
	if _, err := f.desk.Book(a); !clashOf(t, err).OutsideHours {
		t.Errorf("booking 16:30 after the hours end at 16:00: %v", err)
	}
	back := short
	back.Hours[time.Monday] = []core.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	_, err = f.doctor.SetSchedule(back)
	must(t, err)
	if _, err := f.desk.Book(a); err != nil {
		t.Errorf("booking 16:30 with the hours back to 17:00: %v", err)
	}
}
