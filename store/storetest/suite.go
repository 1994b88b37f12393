package storetest

import (
	"errors"
	"testing"
	"time"

	"medisecure/core"
)

// Start is where every test's clock starts: Thursday 26 Nov 2026, 08:00 in
// the clinic's zone.
func Start(zone *time.Location) time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, zone) }

// Run runs the whole suite on the implementation open makes, each test on a
// fresh clinic.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *clinic)
	}{
		{"patients/register and open", testRegister},
		{"patients/free text is refused", testFreeText},
		{"patients/edit", testEdit},
		{"patients/find", testFind},
		{"patients/duplicates", testDuplicates},
		{"schedules/set and read", testSchedules},
		{"appointments/book and list", testBook},
		{"appointments/clash and next free", testClash},
		{"appointments/past", testPast},
		{"appointments/move", testMove},
		{"appointments/day guards", testDayGuards},
		{"appointments/corrections", testCorrections},
		{"visits/history and upcoming", testVisits},
		{"chart/care relationship and roles", testChartAccess},
		{"chart/allergies", testAllergies},
		{"chart/notes, signing and addenda", testNotes},
		{"chart/vitals", testVitals},
		{"billing/pay", testPay},
		{"billing/refund", testRefund},
		{"billing/taken at the desk", testDeskPayment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := time.UTC
			clock := NewClock(Start(z))
			env := open(t, clock)
			if env.Zone == nil {
				t.Fatal("Env.Zone is nil")
			}
			clock.Set(Start(env.Zone))
			tc.run(t, &clinic{Env: env, clock: clock})
		})
	}
}

// clinic is one test's Env with its clock.
type clinic struct {
	Env
	clock *Clock
}

// at is a wall time in the clinic's zone, "2026-11-27 10:00".
func (c *clinic) at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, c.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// need skips the test unless every port it names is there.
func (c *clinic) need(t testing.TB, ports ...string) {
	t.Helper()
	for _, p := range ports {
		missing := false
		switch p {
		case "patients":
			missing = c.Patients == nil
		case "appointments":
			missing = c.Appointments == nil
		case "schedules":
			missing = c.Schedules == nil
		case "visits":
			missing = c.Visits == nil
		case "billing":
			missing = c.Billing == nil || c.NewInvoice == nil
		case "desk billing":
			missing = c.DeskBilling == nil
		case "charts":
			missing = c.Clinician == nil || c.DeskCharts == nil
		}
		if missing {
			t.Skipf("this implementation has no %s port", p)
		}
	}
}

// patient registers a patient or fails the test.
func (c *clinic) patient(t testing.TB, name string, dob core.Date) core.Patient {
	t.Helper()
	p, err := c.Patients.AddPatient(core.Patient{Name: name, DOB: dob})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return p
}

// hours gives the doctor Monday to Friday 09:00-12:00 and 13:00-17:00 in
// 15-minute slots.
func (c *clinic) hours(t testing.TB) {
	t.Helper()
	sc := core.Schedule{Doctor: c.Doctor, SlotMinutes: 15, Rooms: []string{"Room 1"}}
	for d := time.Monday; d <= time.Friday; d++ {
		sc.Hours[d] = []core.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	}
	if _, err := c.Schedules.SetSchedule(sc); err != nil {
		t.Fatalf("set hours of %s: %v", c.Doctor, err)
	}
}

// book books a visit or fails the test.
func (c *clinic) book(t testing.TB, p core.ID, start string, minutes int) core.Appointment {
	t.Helper()
	a, err := c.Appointments.Book(core.Appointment{PatientID: p, Doctor: c.Doctor, Start: c.at(t, start), Minutes: minutes})
	if err != nil {
		t.Fatalf("book %s: %v", start, err)
	}
	return a
}

// ready is a clinic with patients, appointments and the doctor's hours.
func (c *clinic) ready(t testing.TB) {
	t.Helper()
	c.need(t, "patients", "appointments", "schedules")
	c.hours(t)
}

// field fails unless err is a *core.ValidationError naming field.
func field(t testing.TB, err error, name string) {
	t.Helper()
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.For(name) == "" {
		t.Errorf("%v, want a *core.ValidationError naming %s", err, name)
	}
}

// ids lists appointment IDs in order.
func ids(as []core.Appointment) []core.ID {
	out := make([]core.ID, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// samePatients reports whether got holds exactly the patients want, in any
// order.
func samePatients(got []core.Patient, want ...core.Patient) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[core.ID]bool{}
	for _, p := range got {
		seen[p.ID] = true
	}
	for _, p := range want {
		if !seen[p.ID] {
			return false
		}
	}
	return true
}
