package tui

import (
	"testing"

	"medisecure/core"
	"medisecure/store/storetest"
)

// TestFakeConforms runs the store's conformance suite on the fake the
// screens' tests use, so the fake cannot drift from the store: what the
// store refuses, the fake refuses too.
func TestFakeConforms(t *testing.T) {
	storetest.Run(t, func(t testing.TB, clock *storetest.Clock) storetest.Env {
		b := newFakeBackend()
		b.clock.src = clock.Now
		b.patients, b.appts, b.conflicts = nil, nil, nil // a fresh clinic
		b.clin = fakeClinical{strict: true}
		b.notes = nil
		b.bill = fakeBilling{}
		b.users["bea"] = &fakeUser{pass: "demo", role: core.RoleBilling}
		b.doctors = append(b.doctors, core.User{Name: "dr.new", DisplayName: "Dr New", Role: core.RoleDoctor})
		b.users["dr.new"] = &fakeUser{pass: "demo", role: core.RoleDoctor}
		login := func(user string) *fakeSession {
			s, err := b.Login(user, "demo")
			if err != nil {
				t.Fatal(err)
			}
			return s.(*fakeSession)
		}
		desk, admin, doctor, billing := login("ana"), login("admin"), login("dr.new"), login("bea")
		return storetest.Env{Zone: b.zone, Doctor: "dr.new", Patients: desk, Visits: desk, Appointments: desk, Schedules: admin,
			Clinician: doctor, DeskCharts: desk, Billing: billing, NewInvoice: billing.issue, DeskBilling: desk}
	})
}
