package seed_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/seed"
)

const (
	adminPass = "admin-pass-2026"
	demoPass  = "demo-pass-2026"
)

// newStore creates a store in Berlin whose clock is now, and logs its
// admin in.
func newStore(t testing.TB, now time.Time) (*store.DB, *store.Session) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	opts := store.Options{Now: func() time.Time { return now }, KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}}
	if err := store.Create(path, store.InitOptions{Org: "Seed Test", Zone: "Europe/Berlin", Admin: "admin", Passphrase: adminPass}, opts); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	admin, err := db.Login("admin", adminPass)
	if err != nil {
		t.Fatal(err)
	}
	return db, admin
}

// The demo opened in the evening or at night showed a day that was over:
// whatever the hour, today has appointments still to come and someone
// checked in and waiting.
func TestDemoDayHasWorkAheadAtAnyHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Every hour of a weekday, and a Sunday, when the day clinic is closed.
	var times []time.Time
	for hour := 0; hour < 24; hour++ {
		times = append(times, time.Date(2026, 12, 1, hour, 7, 0, 0, berlin))
	}
	for _, hour := range []int{3, 10, 22} {
		times = append(times, time.Date(2026, 11, 29, hour, 7, 0, 0, berlin))
	}
	for _, now := range times {
		t.Run(now.Format("Mon 15:04"), func(t *testing.T) {
			db, admin := newStore(t, now)
			if _, err := seed.Run(admin, seed.Options{Patients: 60, Days: 3, Doctors: 4, Seed: 1, Now: now, Passphrase: demoPass, OnCall: true}); err != nil {
				t.Fatal(err)
			}
			desk, err := db.Login("desk", demoPass)
			if err != nil {
				t.Fatal(err)
			}
			appts, err := desk.Appointments(core.DateOf(now, berlin), "")
			if err != nil {
				t.Fatal(err)
			}
			ahead, waiting := 0, 0
			for _, a := range appts {
				if a.Start.After(now) && (a.Status == core.ApptBooked || a.Status == core.ApptCheckedIn) {
					ahead++
				}
				if a.Status == core.ApptCheckedIn {
					waiting++
					if a.CheckedInAt.After(now) || a.End().Before(now) {
						t.Errorf("checked in at %s for %s, now %s", a.CheckedInAt, a.Start, now)
					}
				}
			}
			if ahead == 0 || waiting == 0 {
				t.Errorf("today has %d appointments, %d still to come, %d waiting", len(appts), ahead, waiting)
			}
		})
	}
}

// A note said "BP 150/95, HR 72." while the same visit's vitals read
// something else: both came from separate random draws.
func TestNotesAgreeWithVitals(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	_, admin := newStore(t, now)
	if _, err := seed.Run(admin, seed.Options{Patients: 40, Days: 4, Seed: 3, Now: now, Passphrase: demoPass, Clinical: true}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := admin.Export(&out); err != nil {
		t.Fatal(err)
	}
	appts := map[core.ID]core.Appointment{}
	vitals := map[string]float64{}
	var notes []core.Note
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec struct {
			Kind core.Kind       `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch rec.Kind {
		case core.KindAppointment:
			var a core.Appointment
			must(t, json.Unmarshal(rec.Data, &a))
			appts[a.ID] = a
		case core.KindVital:
			var v core.Vital
			must(t, json.Unmarshal(rec.Data, &v))
			vitals[fmt.Sprint(v.PatientID, v.TakenAt.Unix(), v.Metric)] = v.Value
		case core.KindNote:
			var n core.Note
			must(t, json.Unmarshal(rec.Data, &n))
			notes = append(notes, n)
		}
	}
	if len(notes) < 5 {
		t.Fatalf("the seed wrote only %d notes", len(notes))
	}
	for _, n := range notes {
		a := appts[n.AppointmentID]
		at := func(m core.Metric) float64 { return vitals[fmt.Sprint(n.PatientID, a.Start.Unix(), m)] }
		want := fmt.Sprintf("BP %.0f/%.0f, HR %.0f.", at(core.MetricSystolicBP), at(core.MetricDiastolicBP), at(core.MetricHeartRate))
		if n.Objective != want {
			t.Errorf("note of %s says %q, the visit's vitals %q", a.ID, n.Objective, want)
		}
	}
}

// Seeding a store where an admin had added desk failed with "wrong user
// or passphrase", naming nobody, and each try counted against desk's
// lockout: the seed logged in as desk with the demo passphrase.
func TestSeedKeepsExistingUsers(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	db, admin := newStore(t, now)
	if err := admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, "desk-own-pass"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		res, err := seed.Run(admin, seed.Options{Patients: 10, Days: 2, Seed: uint64(i), Now: now, Passphrase: demoPass})
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		want := "desk.demo"
		if i > 0 {
			want = fmt.Sprintf("desk.demo%d", i+1)
		}
		if res.StandIns["desk"] != want {
			t.Errorf("seed %d: stand-ins %v, want desk → %s", i, res.StandIns, want)
		}
	}
	// Six seeds later desk was never locked out, and its passphrase is its own.
	if _, err := db.Login("desk", "desk-own-pass"); err != nil {
		t.Errorf("desk after the seeds: %v", err)
	}
	if _, err := db.Login("desk.demo", demoPass); err != nil {
		t.Errorf("the stand-in: %v", err)
	}
	if _, err := db.Login("desk", demoPass); !errors.Is(err, core.ErrAuth) {
		t.Errorf("desk took the demo passphrase: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
