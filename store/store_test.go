package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

func TestPatientsSurviveReopenAndAreFound(t *testing.T) {
	f := newFixture(t)
	zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "+48 601 555 013")
	f.patient(t, "Ann Smith", "1990-01-02", "555 0101")
	f.reopen(t)
	for _, q := range []string{"zoe", "ŁUKAS", "601555", "1984-03", "zoe luk"} {
		got, err := f.desk.FindPatients(q, 10)
		if err != nil {
			t.Fatalf("find %q: %v", q, err)
		}
		if len(got) != 1 || got[0].ID != zoe.ID || got[0].Name != "Zoë Łukasiewicz" {
			t.Errorf("find %q = %+v, want Zoë", q, got)
		}
	}
	if got, _ := f.desk.FindPatients("nobody", 10); len(got) != 0 {
		t.Errorf("find nobody = %v", got)
	}
}

func TestRawFileHoldsNoPHI(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "+48 601 555 013")
	if _, err := f.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 15, Room: "Room 7", Reason: "persistent migraine"}); err != nil {
		t.Fatal(err)
	}
	f.close(t)
	raw, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Zoë", "Łukasiewicz", "ukasiewicz", "601 555", "601555013", "1984-03-27", "migraine", "Room 7"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("store file contains %q in clear", s)
		}
	}
}

func TestBookingClashOffersNextSlot(t *testing.T) {
	f := newFixture(t)
	a := f.patient(t, "Ann Smith", "1990-01-02", "")
	b := f.patient(t, "Bob Jones", "1980-05-06", "")
	first, err := f.desk.Book(core.Appointment{PatientID: a.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:00"), Minutes: 30})
	must(t, err)
	_, err = f.desk.Book(core.Appointment{PatientID: b.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:15"), Minutes: 15})
	var clash *core.ClashError
	if !errors.As(err, &clash) {
		t.Fatalf("book over a taken slot: %v, want *core.ClashError", err)
	}
	if len(clash.Clashes) != 1 || clash.Clashes[0].With != first.ID || clash.Clashes[0].On != "doctor" {
		t.Errorf("clashes = %+v", clash.Clashes)
	}
	if !clash.HasNext || !clash.Next.Equal(at(t, "2026-11-27 09:30")) {
		t.Errorf("next free = %v %v, want 09:30", clash.Next, clash.HasNext)
	}
	_, err = f.desk.Book(core.Appointment{PatientID: b.ID, Doctor: "drwho", Start: at(t, "2026-11-28 09:00"), Minutes: 15})
	if !errors.As(err, &clash) || !clash.OutsideHours {
		t.Errorf("booking on a Saturday: %v, want outside hours", err)
	}
	// Cancelling frees the slot.
	if _, err := f.desk.SetStatus(first.ID, core.ApptCancelled, ""); err == nil {
		t.Error("cancel without a reason was accepted")
	}
	_, err = f.desk.SetStatus(first.ID, core.ApptCancelled, "patient called")
	must(t, err)
	if _, err := f.desk.Book(core.Appointment{PatientID: b.ID, Doctor: "drwho", Start: at(t, "2026-11-27 09:15"), Minutes: 15}); err != nil {
		t.Errorf("booking a freed slot: %v", err)
	}
	day, err := f.desk.Appointments("2026-11-27", "drwho")
	must(t, err)
	if len(day) != 2 {
		t.Errorf("day has %d appointments, want 2", len(day))
	}
}

func TestStatusMachineThroughStore(t *testing.T) {
	f := newFixture(t)
	f.clock.t = at(t, "2026-11-27 07:00") // the day of the visit, so check-in is allowed
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	a, err := f.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: at(t, "2026-11-27 10:00"), Minutes: 15})
	must(t, err)
	for _, st := range []core.AppointmentStatus{core.ApptCheckedIn, core.ApptInProgress, core.ApptCompleted} {
		if a, err = f.desk.SetStatus(a.ID, st, ""); err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
	}
	_, err = f.desk.SetStatus(a.ID, core.ApptCancelled, "too late")
	if !errors.Is(err, core.ErrTransition) || !strings.Contains(err.Error(), "completed") || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("cancel a completed appointment: %v", err)
	}
}

func TestPermissionsAreEnforcedByTheStore(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	must(t, f.doctor.Add(&core.Note{PatientID: p.ID, Author: "drwho", Subjective: "headache"}))
	if _, err := f.desk.Notes(p.ID); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception reading notes: %v, want ErrDenied", err)
	}
	notes, err := f.doctor.Notes(p.ID)
	if err != nil || len(notes) != 1 || notes[0].Subjective != "headache" {
		t.Errorf("doctor reading notes: %v %v", notes, err)
	}
	if err := f.desk.AddUser(core.User{Name: "eve", Role: core.RoleAdmin}, "long-enough"); !errors.Is(err, core.ErrDenied) {
		t.Errorf("reception adding a user: %v", err)
	}
	if err := f.doctor.Save(&notes[0]); !errors.Is(err, ErrAppendOnly) {
		t.Errorf("editing a note: %v, want ErrAppendOnly", err)
	}
}

func TestLoginFailuresLockTheUser(t *testing.T) {
	f := newFixture(t)
	for i := 1; i < core.LockoutThreshold; i++ {
		if _, err := f.db.Login("desk", "wrong"); !errors.Is(err, core.ErrAuth) {
			t.Fatalf("attempt %d: %v, want ErrAuth", i, err)
		}
	}
	_, err := f.db.Login("desk", "wrong")
	var locked *core.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("fifth failure: %v, want LockedError", err)
	}
	if _, err := f.db.Login("desk", "desk-pass"); !errors.As(err, &locked) {
		t.Errorf("right passphrase while locked: %v", err)
	}
	f.clock.t = locked.Until
	if _, err := f.db.Login("desk", "desk-pass"); err != nil {
		t.Errorf("after the lock: %v", err)
	}
	if _, err := f.db.Login("nobody", "x"); !errors.Is(err, core.ErrAuth) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestOpenRefusesWhatIsNotAStore(t *testing.T) {
	dir := t.TempDir()
	junk := dir + "/junk.db"
	must(t, os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 500), 0o600))
	for _, path := range []string{junk, dir + "/missing.db", dir} {
		if _, err := Open(path, Options{}); !errors.Is(err, ErrNotStore) && !errors.Is(err, ErrCorrupt) {
			t.Errorf("open %s: %v", path, err)
		}
	}
}

func TestRemoteChangesFollowThePermissionRules(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	note := core.Note{Meta: core.Meta{ID: "0123456789abcdef01234567", CreatedAt: f.clock.t, UpdatedAt: f.clock.t, CreatedBy: "desk"}, PatientID: p.ID, Author: "desk", Subjective: "forged"}
	fields, err := core.FieldsOf(&note)
	must(t, err)
	cases := []struct {
		name   string
		change core.Change
	}{
		{"reception writes a note", core.Change{Kind: core.KindNote, ID: note.ID, Fields: fields, Author: "desk", Device: "elsewhere", Seq: 1, HLC: 1}},
		{"an unknown author", core.Change{Kind: core.KindNote, ID: note.ID, Fields: fields, Author: "mallory", Device: "elsewhere", Seq: 1, HLC: 1}},
		{"a doctor edits a note", core.Change{Kind: core.KindNote, ID: note.ID, Fields: map[string]json.RawMessage{"subjective": json.RawMessage(`"edited"`)}, Author: "drwho", Device: "elsewhere", Seq: 2, HLC: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if res, err := f.doctor.ApplyRemote([]core.Change{tc.change}, 0); err != nil || res.Quarantined != 1 || res.Applied != 0 {
				t.Errorf("applied %d, quarantined %d: %v; want it quarantined", res.Applied, res.Quarantined, err)
			}
		})
	}
	if notes, err := f.doctor.Notes(p.ID); err != nil || len(notes) != 0 {
		t.Errorf("notes after refused changes: %v %v", notes, err)
	}
}

func TestNotesAreFoundByPatientAlsoInOlderStores(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	bob := f.patient(t, "Bob Jones", "1980-05-06", "")
	must(t, f.doctor.Add(&core.Note{PatientID: ann.ID, Author: "drwho", Subjective: "ann's headache"}))
	must(t, f.doctor.Add(&core.Note{PatientID: bob.ID, Author: "drwho", Subjective: "bob's knee"}))
	check := func(when string) {
		t.Helper()
		notes, err := f.doctor.Notes(ann.ID)
		if err != nil || len(notes) != 1 || notes[0].Subjective != "ann's headache" {
			t.Errorf("%s: ann's chart shows %v (%v)", when, notes, err)
		}
	}
	check("indexed as written")
	// A schema-1 store from before the index: no entries, no mark.
	unclass(t, f)
	f.close(t)
	db, err := bolt.Open(f.path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSchedule)
		var keys [][]byte
		b.ForEach(func(k, _ []byte) error {
			if k[0] == classNote {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(metaSchema, u64(1))
	}))
	must(t, db.Close())
	f.open(t)
	f.login(t)
	check("indexed at the first unlock")
}
