package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// isPatientDayKey reports whether k is a day key of the schedule index
// filed under a patient, as stores before schema 12 wrote them.
func isPatientDayKey(k []byte) bool {
	return len(k) == patientDayKeyLen && k[0] >= '0' && k[0] <= '9' && k[8] == classPatient
}

// TestMigrationTwelveDropsPatientDaysAndKeepsEveryAppointment opens the
// store written by schema 11's code (two visits of Ann's, in Room 1, filed
// under her day keys), and checks that Open deletes those keys and nothing
// else, and that every appointment is still found: by day, by patient, and
// by the clash check of a booking for Ann with another doctor at the time
// of one of her visits.
func TestMigrationTwelveDropsPatientDaysAndKeepsEveryAppointment(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(11))
	must(t, err)
	path := filepath.Join(t.TempDir(), "clinic.db")
	must(t, os.WriteFile(path, raw, 0o600))

	before := map[string]string{}
	patientDays := 0
	old, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, old.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSchedule).ForEach(func(k, v []byte) error {
			if isPatientDayKey(k) {
				patientDays++
				return nil
			}
			before[string(k)] = string(v)
			return nil
		})
	}))
	must(t, old.Close())
	if patientDays != len(fixtureVisits) {
		t.Fatalf("the schema 11 fixture holds %d patient day keys, want %d (one per visit)", patientDays, len(fixtureVisits))
	}

	clk := &testClock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	if got := schemaOfFile(t, db); got != SchemaVersion {
		t.Fatalf("after Open the store is at schema %d, want %d (the steps after 11 need no keys)", got, SchemaVersion)
	}
	must(t, db.bolt.View(func(tx *bolt.Tx) error {
		after := map[string]string{}
		tx.Bucket(bucketSchedule).ForEach(func(k, v []byte) error {
			if isPatientDayKey(k) {
				t.Errorf("patient day key %x is still there", k)
			}
			after[string(k)] = string(v)
			return nil
		})
		if len(after) != len(before) {
			t.Errorf("%d index entries after the migration, want the %d that were not patient days", len(after), len(before))
		}
		for k, v := range before {
			if after[k] != v {
				t.Errorf("index entry %x changed or went", k)
			}
		}
		return nil
	}))

	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	found, err := desk.FindPatients(fixtureAnn, 5)
	if err != nil || len(found) != 1 {
		t.Fatalf("find Ann: %v %+v", err, found)
	}
	ann := found[0]
	visits, err := desk.PatientAppointments(ann.ID)
	must(t, err)
	if len(visits) != len(fixtureVisits) {
		t.Fatalf("Ann has %d visits, want %d", len(visits), len(fixtureVisits))
	}
	for i, v := range visits {
		day := core.DateOf(v.Start, db.Zone())
		list, err := desk.Appointments(day, "")
		must(t, err)
		if len(list) != 1 || list[0].ID != v.ID {
			t.Errorf("the day of visit %d (%s) lists %+v, want it alone", i, day, list)
		}
		mine, err := desk.Appointments(day, "drwho")
		must(t, err)
		if len(mine) != 1 || mine[0].ID != v.ID {
			t.Errorf("drwho's day %s lists %+v, want visit %d", day, mine, i)
		}
	}

	// Another doctor, free at the time of Ann's second visit: booking Ann
	// there clashes on the patient, and only on her.
	admin, err := db.Login("admin", "admin-pass")
	must(t, err)
	must(t, admin.AddUser(core.User{Name: "drno", Role: core.RoleDoctor}, "doctor-pass"))
	drno, err := db.Login("drno", "doctor-pass")
	must(t, err)
	sc := core.Schedule{Doctor: "drno", SlotMinutes: 15}
	for d := time.Monday; d <= time.Friday; d++ {
		sc.Hours[d] = []core.Span{{Start: 8 * 60, End: 18 * 60}}
	}
	_, err = drno.SetSchedule(sc)
	must(t, err)
	second := visits[1]
	_, err = desk.Book(core.Appointment{PatientID: ann.ID, Doctor: "drno", Start: second.Start.Add(5 * time.Minute), Minutes: 15})
	clash := clashOf(t, err)
	if len(clash.Clashes) != 1 || clash.Clashes[0].With != second.ID || clash.Clashes[0].On != "patient" {
		t.Errorf("booking Ann over her visit: clashes %+v, want one on the patient with %s", clash.Clashes, second.ID)
	}
	// The same time for another patient is free.
	bob, err := desk.AddPatient(core.Patient{Name: "Bob Jones", DOB: "1970-01-01"})
	must(t, err)
	if _, err := desk.Book(core.Appointment{PatientID: bob.ID, Doctor: "drno", Start: second.Start.Add(5 * time.Minute), Minutes: 15}); err != nil {
		t.Errorf("booking Bob at that time: %v", err)
	}
}

// TestPatientDayReadsWhatItsDayKeyHeld checks visitsOn against the
// definition the patient's day keys had: every appointment of the patient
// whose start falls on the day in the clinic's zone, in ID order, each with
// its times and whether it holds. Appointments are spread over days either
// side of Europe/Berlin's clock changes, many close to midnight, and over
// several patients; near filters as slotsNear does.
func TestPatientDayReadsWhatItsDayKeyHeld(t *testing.T) {
	f := newFixture(t)
	zone := f.db.zone
	rng := rand.New(rand.NewSource(12))
	patients := []core.ID{"aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc"}
	days := []core.Date{"2026-03-28", "2026-03-29", "2026-03-30", "2026-10-24", "2026-10-25", "2026-10-26", "2027-01-01"}
	var appts []core.Appointment
	for i := 0; i < 400; i++ {
		d := days[rng.Intn(len(days))]
		midnight, err := d.Time(zone)
		must(t, err)
		// Mostly within an hour of either midnight, else anywhere.
		var start time.Time
		switch rng.Intn(3) {
		case 0:
			start = midnight.Add(time.Duration(rng.Intn(120)-60) * time.Minute)
		case 1:
			start = midnight.AddDate(0, 0, 1).Add(time.Duration(rng.Intn(120)-60) * time.Minute)
		default:
			start = midnight.Add(time.Duration(rng.Intn(24*60)) * time.Minute)
		}
		start = start.Add(time.Duration(rng.Intn(60)) * time.Second)
		a := core.Appointment{Meta: core.Meta{ID: core.ID(fmt.Sprintf("%024x", rng.Uint64()))}, PatientID: patients[rng.Intn(len(patients))],
			Doctor: "drwho", Start: start.UTC(), Minutes: 5 + rng.Intn(60), Status: core.ApptBooked}
		if rng.Intn(4) == 0 {
			a.Status = core.ApptCancelled
		}
		appts = append(appts, a)
	}
	err := f.db.bolt.Update(func(tx *bolt.Tx) error {
		tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
		for i := range appts {
			must(t, tn.indexAppointment(nil, &appts[i]))
		}
		for _, p := range patients {
			for _, d := range append(days, "2026-03-27", "2026-10-27") {
				var want []core.Slot
				for _, a := range appts {
					if a.PatientID == p && core.DateOf(a.Start, zone) == d {
						want = append(want, core.Slot{ID: a.ID, PatientID: p, Start: a.Start.Truncate(time.Millisecond), End: a.End().Truncate(time.Millisecond), Holds: a.Status.Holds()})
					}
				}
				sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
				got := tn.visitsOn(nil, p, d, nil)
				if !sameSlots(got, want) {
					t.Errorf("patient %s day %s: got %d slots, want %d:\n got %+v\nwant %+v", p[:4], d, len(got), len(want), got, want)
				}
				// near keeps those that hold and overlap it, in the same order.
				midnight, _ := d.Time(zone)
				near := core.Slot{Start: midnight.Add(-30 * time.Minute), End: midnight.Add(45 * time.Minute)}
				var wantNear []core.Slot
				for _, s := range want {
					if s.Holds && near.Start.Before(s.End) && s.Start.Before(near.End) {
						wantNear = append(wantNear, s)
					}
				}
				if got := tn.visitsOn(nil, p, d, &near); !sameSlots(got, wantNear) {
					t.Errorf("patient %s day %s near midnight: got %+v, want %+v", p[:4], d, got, wantNear)
				}
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// TestPatientDayReachesBefore1970 checks the two runs visitsOn reads when
// a day reaches back across 1970, whose earlier starts sort last.
func TestPatientDayReachesBefore1970(t *testing.T) {
	f := newFixture(t)
	p := core.ID("aaaaaaaaaaaaaaaaaaaaaaaa")
	starts := []time.Time{
		time.Date(1969, 12, 31, 23, 30, 0, 0, time.UTC), // 1970-01-01 00:30 in Berlin
		time.Date(1970, 1, 1, 9, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC), // the day before
		time.Date(1970, 1, 2, 12, 0, 0, 0, time.UTC),   // the day after
	}
	err := f.db.bolt.Update(func(tx *bolt.Tx) error {
		tn := &txn{tx: tx, s: f.admin, keys: f.db.keys}
		for i, s := range starts {
			a := core.Appointment{Meta: core.Meta{ID: core.ID(fmt.Sprintf("%024x", i+1))}, PatientID: p, Doctor: "drwho", Start: s, Minutes: 15, Status: core.ApptBooked}
			must(t, tn.indexAppointment(nil, &a))
		}
		got := tn.visitsOn(nil, p, "1970-01-01", nil)
		if len(got) != 2 || got[0].ID != core.ID(fmt.Sprintf("%024x", 1)) || got[1].ID != core.ID(fmt.Sprintf("%024x", 2)) {
			t.Errorf("1970-01-01 in Berlin: %+v, want appointments 1 and 2", got)
		}
		if got := tn.visitsOn(nil, p, "1969-12-31", nil); len(got) != 1 || !got[0].Start.Equal(starts[2]) {
			t.Errorf("1969-12-31 in Berlin: %+v, want appointment 3", got)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// sameSlots compares slots field by field.
func sameSlots(a, b []core.Slot) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.PatientID != y.PatientID || x.Doctor != y.Doctor || x.Room != y.Room || !x.Start.Equal(y.Start) || !x.End.Equal(y.End) || x.Holds != y.Holds {
			return false
		}
	}
	return true
}

// TestBookingWritesNoPatientDayKey checks that a booking files its
// appointment under its doctor's and room's days and its patient's visits,
// and nothing under the patient's day.
func TestBookingWritesNoPatientDayKey(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	a := book(t, f, ann.ID, "drwho", "2026-11-30 10:00", 15, "Room 1")
	must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
		id := a.ID.Bytes()
		var classes []byte
		tx.Bucket(bucketSchedule).ForEach(func(k, _ []byte) error {
			if bytes.Contains(k, id) {
				if k[0] >= '0' && k[0] <= '9' {
					classes = append(classes, k[8])
				} else {
					classes = append(classes, k[0])
				}
			}
			return nil
		})
		sort.Slice(classes, func(i, j int) bool { return classes[i] < classes[j] })
		if string(classes) != string([]byte{classVisit, classDoctor, classRoom}) {
			t.Errorf("the booking is filed under classes %q, want doctor, room and visit", classes)
		}
		return nil
	}))
}
