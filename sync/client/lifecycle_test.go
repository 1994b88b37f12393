package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// Issue 9, user lifecycle: an admin disables the receptionist on one
// workstation; after one sync each, no workstation lets them log in, and a
// change they make later on a workstation that had not heard yet is
// quarantined everywhere else, while their earlier ones stand.
func TestDisabledUserLogsInNowhereAfterOneSync(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	before := addPatient(t, wss[2], "Before The Disable")
	wss[2].sync()
	wss[0].sync() // ws1's clock has seen it: the disable comes after
	epoch, err := wss[0].client.DisableUser(context.Background(), wss[0].admin, "desk")
	must(t, err)
	if epoch != wss[0].admin.Epoch() || epoch < 2 {
		t.Fatalf("disable started epoch %d; the store is at %d", epoch, wss[0].admin.Epoch())
	}
	wss[2].clock.advance(time.Second)                  // the late change is stamped after the disable
	late := addPatient(t, wss[2], "After The Disable") // ws3 has not heard yet
	wss[0].sync()
	wss[1].sync()
	wss[2].sync()
	wss[1].sync()
	wss[0].sync()
	for _, w := range wss {
		if _, err := w.db.Login("desk", deskPass); !errors.Is(err, core.ErrAuth) {
			t.Fatalf("%s: the disabled user logs in: %v", w.name, err)
		}
	}
	for _, w := range wss[:2] {
		if _, err := w.admin.Patient(before, ""); err != nil {
			t.Fatalf("%s lost the change made before the disable: %v", w.name, err)
		}
		if _, err := w.admin.Patient(late, ""); err == nil {
			t.Fatalf("%s applied a change the disabled user made after", w.name)
		}
		q, err := w.admin.Quarantine()
		must(t, err)
		if len(q) != 1 || !strings.Contains(q[0].Reason, "user desk was disabled when this change was made") {
			t.Fatalf("%s's quarantine: %+v", w.name, q)
		}
	}
	must(t, wss[0].admin.EnableUser("desk"))
	converge(t, wss)
	for _, w := range wss {
		if _, err := w.db.Login("desk", deskPass); err != nil {
			t.Fatalf("%s: the enabled user cannot log in: %v", w.name, err)
		}
	}
}

// A role change made on one workstation holds on every workstation after
// one sync: the user logs in with the new role, and what they may do
// follows it.
func TestRoleChangeTakesEffectEverywhereAfterOneSync(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	must(t, wss[1].admin.SetRole("desk", core.RoleBilling))
	wss[1].sync()
	for _, w := range []*workstation{wss[0], wss[2]} {
		w.sync()
		s, err := w.db.Login("desk", deskPass)
		must(t, err)
		if s.User().Role != core.RoleBilling {
			t.Fatalf("%s: desk logs in as %s after the sync", w.name, s.User().Role)
		}
		if _, err := s.AddPatient(core.Patient{Name: "Billing Cannot Register", DOB: "1970-01-01"}); !errors.Is(err, core.ErrDenied) {
			t.Fatalf("%s: billing registers a patient: %v", w.name, err)
		}
	}
}

// A passphrase changed on one workstation opens the account on every
// workstation after one sync, the old one nowhere; an admin's later edit
// of the entry made from an older copy does not bring the old one back.
func TestPassphraseChangeReachesEveryWorkstation(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	desk, err := wss[2].db.Login("desk", deskPass)
	must(t, err)
	must(t, desk.ChangePassphrase(deskPass, "a new desk passphrase"))
	must(t, wss[0].admin.SetRole("desk", core.RoleNurse)) // from ws1's older copy
	converge(t, wss)
	for _, w := range wss {
		if _, err := w.db.Login("desk", deskPass); !errors.Is(err, core.ErrAuth) {
			t.Fatalf("%s: the old passphrase still opens: %v", w.name, err)
		}
		s, err := w.db.Login("desk", "a new desk passphrase")
		if err != nil {
			t.Fatalf("%s: the new passphrase: %v", w.name, err)
		}
		if s.User().Role != core.RoleNurse {
			t.Fatalf("%s: role %s, want the admin's nurse", w.name, s.User().Role)
		}
	}
}

// A reset made on one workstation is redeemed on another: the user sets a
// passphrase there with the code and reads what they could before; on
// every workstation after a sync the new passphrase opens the account and
// the used code opens nothing.
func TestResetRedeemedOnAnotherWorkstation(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	p := addPatient(t, wss[0], "Seen Before The Reset")
	code, err := wss[0].admin.ResetUser("desk")
	must(t, err)
	converge(t, wss)
	if _, err := wss[1].db.Login("desk", deskPass); !errors.Is(err, store.ErrResetPending) {
		t.Fatalf("login during the reset: %v", err)
	}
	must(t, wss[1].db.RedeemReset("desk", code, "the desk's own new one"))
	converge(t, wss)
	for _, w := range wss {
		s, err := w.db.Login("desk", "the desk's own new one")
		if err != nil {
			t.Fatalf("%s: login after the reset: %v", w.name, err)
		}
		if _, err := s.Patient(p, ""); err != nil {
			t.Fatalf("%s: the grants did not come back: %v", w.name, err)
		}
		if _, err := w.db.Login("desk", code); !errors.Is(err, core.ErrAuth) {
			t.Fatalf("%s: the used code opens the account: %v", w.name, err)
		}
		if err := w.db.RedeemReset("desk", code, "someone else's try"); !errors.Is(err, store.ErrNoReset) {
			t.Fatalf("%s: the used code redeems again: %v", w.name, err)
		}
	}
}
