package store

import (
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

func TestLifecycleNeedsAnAdmin(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.DisableUser("drwho"); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception disables a user: %v", err)
	}
	if err := f.desk.SetRole("desk", core.RoleAdmin); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception makes itself admin: %v", err)
	}
	if _, err := f.doctor.ResetUser("desk"); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("a doctor resets a user: %v", err)
	}
	if _, err := f.admin.DisableUser("admin"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("an admin disables themselves: %v", err)
	}
	if err := f.admin.SetRole("admin", core.RoleDoctor); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("the last admin leaves the role: %v", err)
	}
	if err := f.admin.SetRole("nobody", core.RoleDoctor); !errors.Is(err, ErrNotFound) {
		t.Fatalf("role of an unknown user: %v", err)
	}
}

func TestPassphraseChangeRoundTrip(t *testing.T) {
	f := newFixture(t)
	if err := f.desk.ChangePassphrase("wrong-pass", "new-desk-pass"); !errors.Is(err, core.ErrAuth) {
		t.Fatalf("change with a wrong passphrase: %v", err)
	}
	if err := f.desk.ChangePassphrase("desk-pass", "short"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("a short new passphrase: %v", err)
	}
	must(t, f.desk.ChangePassphrase("desk-pass", "new-desk-pass"))
	if _, err := f.db.Login("desk", "desk-pass"); !errors.Is(err, core.ErrAuth) {
		t.Fatalf("the old passphrase: %v", err)
	}
	s, err := f.db.Login("desk", "new-desk-pass")
	must(t, err)
	if _, err := s.AddPatient(core.Patient{Name: "Signed With The Same Key", DOB: "1990-01-02"}); err != nil {
		t.Fatalf("writing after the change: %v", err)
	}
}

func TestResetRoundTrip(t *testing.T) {
	f := newFixture(t)
	p, err := f.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	code, err := f.admin.ResetUser("desk")
	must(t, err)
	if _, err := f.db.Login("desk", "desk-pass"); !errors.Is(err, ErrResetPending) {
		t.Fatalf("login with the old passphrase during a reset: %v", err)
	}
	if _, err := f.db.Login("desk", code); !errors.Is(err, ErrResetPending) {
		t.Fatalf("login with the code itself: %v", err)
	}
	if err := f.db.RedeemReset("desk", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "new-desk-pass"); !errors.Is(err, ErrBadResetCode) {
		t.Fatalf("a wrong code: %v", err)
	}
	if err := f.db.RedeemReset("desk", code, "short"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("a short passphrase: %v", err)
	}
	must(t, f.db.RedeemReset("desk", code, "new-desk-pass"))
	s, err := f.db.Login("desk", "new-desk-pass")
	must(t, err)
	if _, err := s.Patient(p.ID, ""); err != nil {
		t.Fatalf("reading after the reset: %v", err)
	}
	if _, err := s.AddPatient(core.Patient{Name: "Bob Jones", DOB: "1980-05-06"}); err != nil {
		t.Fatalf("writing after the reset: %v", err)
	}
	if err := f.db.RedeemReset("desk", code, "another-pass"); !errors.Is(err, ErrNoReset) {
		t.Fatalf("the used code again: %v", err)
	}
	if _, err := f.db.Login("desk", code); !errors.Is(err, core.ErrAuth) {
		t.Fatalf("the used code as a passphrase: %v", err)
	}
}

// Of two copies of one entry a store keeps the newer signed part and the
// newer key part its own key signed, whichever order they come in.
func TestKeptEntryMergesKeyParts(t *testing.T) {
	f := newFixture(t)
	var stale *dirEntry
	view(t, f, func(e *dirEntry) { stale = e }, "desk")
	must(t, f.desk.ChangePassphrase("desk-pass", "new-desk-pass"))
	var fresh *dirEntry
	view(t, f, func(e *dirEntry) { fresh = e }, "desk")
	resigned := *stale
	resigned.sign("admin", f.admin.keys.sign)
	for _, pair := range [][2]*dirEntry{{fresh, &resigned}, {&resigned, fresh}} {
		got := keptEntry(pair[0], pair[1])
		if got.Version != resigned.Version || got.KeyVersion != fresh.KeyVersion || string(got.Private) != string(fresh.Private) {
			t.Fatalf("kept version %d key version %d", got.Version, got.KeyVersion)
		}
	}
	forged := *fresh
	forged.KeyVersion = 99
	forged.Private = []byte("a device's own key part")
	if got := keptEntry(fresh, &forged); got.KeyVersion != fresh.KeyVersion {
		t.Fatal("a key part the user did not sign was kept")
	}
}

// view reads a user's directory entry.
func view(t *testing.T, f *fixture, fn func(*dirEntry), name string) {
	t.Helper()
	must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
		e, err := getEntry(tx, name)
		if err == nil {
			fn(e)
		}
		return err
	}))
}

// Entries an admin signed still verify after the admin leaves the role or
// is reset: they are signed again with the org root key.
func TestEntriesSignedByAFormerAdminStillVerify(t *testing.T) {
	f := newFixture(t)
	must(t, f.admin.AddUser(core.User{Name: "boss", Role: core.RoleAdmin}, "boss-pass"))
	boss, err := f.db.Login("boss", "boss-pass")
	must(t, err)
	must(t, boss.AddUser(core.User{Name: "nurse", Role: core.RoleNurse}, "nurse-pass"))
	code, err := f.admin.ResetUser("boss")
	must(t, err)
	if _, err := f.db.Login("nurse", "nurse-pass"); err != nil {
		t.Fatalf("a user the reset admin added: %v", err)
	}
	must(t, f.db.RedeemReset("boss", code, "boss-pass-2"))
	boss, err = f.db.Login("boss", "boss-pass-2")
	must(t, err)
	must(t, boss.AddUser(core.User{Name: "clerk", Role: core.RoleBilling}, "clerk-pass"))
	must(t, f.admin.SetRole("boss", core.RoleDoctor))
	for _, u := range []string{"nurse", "clerk"} {
		if _, err := f.db.Login(u, u+"-pass"); err != nil {
			t.Fatalf("%s, added by the former admin: %v", u, err)
		}
	}
	if _, err := f.admin.Users(); err != nil {
		t.Fatalf("the directory after the admin left the role: %v", err)
	}
}
