package store_test

import (
	"path/filepath"
	"testing"

	"medisecure/core"
	"medisecure/store"
	"medisecure/store/storetest"
)

// The real store is one implementation the conformance suite runs on; the
// TUI's fakes are the others.
var (
	_ storetest.Patients     = (*store.Session)(nil)
	_ storetest.Visits       = (*store.Session)(nil)
	_ storetest.Appointments = (*store.Session)(nil)
	_ storetest.Schedules    = (*store.Session)(nil)
	_ storetest.Charts       = (*store.Session)(nil)
	_ storetest.Billing      = (*store.Session)(nil)
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB, clock *storetest.Clock) storetest.Env {
		path := filepath.Join(t.TempDir(), "clinic.db")
		opts := store.Options{Now: clock.Now, KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}}
		if err := store.Create(path, store.InitOptions{Org: "Conformance Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: "admin-pass"}, opts); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		login := func(name, pass string) *store.Session {
			s, err := db.Login(name, pass)
			if err != nil {
				t.Fatalf("login %s: %v", name, err)
			}
			return s
		}
		admin := login("admin", "admin-pass")
		for _, u := range []core.User{{Name: "desk", Role: core.RoleReception}, {Name: "drwho", Role: core.RoleDoctor}, {Name: "bea", Role: core.RoleBilling}} {
			if err := admin.AddUser(u, u.Name+"-pass"); err != nil {
				t.Fatal(err)
			}
		}
		desk, doctor, billing := login("desk", "desk-pass"), login("drwho", "drwho-pass"), login("bea", "bea-pass")
		newInvoice := func(t testing.TB, patient core.ID, minor int64) core.ID {
			inv, err := billing.CreateInvoice(core.Invoice{PatientID: patient, Currency: "EUR", Items: []core.InvoiceItem{
				{Description: "Consultation", Quantity: 1, UnitPrice: core.Money{Minor: minor, Currency: "EUR"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if inv, err = billing.IssueInvoice(inv.ID); err != nil {
				t.Fatal(err)
			}
			return inv.ID
		}
		return storetest.Env{Zone: db.Zone(), Doctor: "drwho", Patients: desk, Visits: desk, Appointments: desk, Schedules: doctor,
			Clinician: doctor, DeskCharts: desk, Billing: billing, NewInvoice: newInvoice, DeskBilling: desk}
	})
}
