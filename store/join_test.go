package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"

	"medisecure/core"
)

// joinOptions is what an admin of f would hand a joining workstation.
func joinOptions(t *testing.T, f *fixture) JoinOptions {
	t.Helper()
	entries, err := f.admin.DirectoryEntries()
	must(t, err)
	_, dev, _ := ed25519.GenerateKey(rand.Reader)
	root := f.admin.RootPublicKey()
	return JoinOptions{
		Org: f.db.Org(), Root: root, RootFingerprint: RootFingerprint(root), Directory: entries,
		DeviceSeed: dev.Seed(), User: "drwho", Passphrase: "doctor-pass",
	}
}

func TestJoinMakesAWorkstationOfTheSameOrganisation(t *testing.T) {
	f := newFixture(t)
	j := joinOptions(t, f)
	path := filepath.Join(t.TempDir(), "joined.db")
	must(t, Join(path, j, Options{KDF: testKDF}))
	db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	if db.Org().ID != f.db.Org().ID || db.DeviceID() == f.db.DeviceID() {
		t.Errorf("joined org %s device %s; want org %s and a new device", db.Org().ID, db.DeviceID(), f.db.Org().ID)
	}
	// Every user of the directory logs in here with their own passphrase.
	for _, u := range []struct{ name, pass string }{{"desk", "desk-pass"}, {"admin", "admin-pass"}, {"drwho", "doctor-pass"}} {
		s, err := db.Login(u.name, u.pass)
		if err != nil {
			t.Fatalf("%s logs in on the joined workstation: %v", u.name, err)
		}
		k1, _ := s.OrgKey(1)
		k0, _ := f.admin.OrgKey(1)
		if string(k1) != string(k0) {
			t.Errorf("%s holds a different org key", u.name)
		}
	}
}

func TestJoinRefusesTheWrongOrganisationAndWrongPassphrase(t *testing.T) {
	f := newFixture(t)
	other := newFixture(t)
	cases := []struct {
		name string
		edit func(*JoinOptions)
		want error
	}{
		{"root of another org", func(j *JoinOptions) { j.Root = other.admin.RootPublicKey() }, ErrRootMismatch},
		{"directory of another org", func(j *JoinOptions) { j.Directory, _ = other.admin.DirectoryEntries() }, ErrBadDirectory},
		{"wrong passphrase", func(j *JoinOptions) { j.Passphrase = "nope" }, core.ErrAuth},
		{"unknown user", func(j *JoinOptions) { j.User = "mallory" }, core.ErrAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := joinOptions(t, f)
			tc.edit(&j)
			path := filepath.Join(t.TempDir(), "joined.db")
			if err := Join(path, j, Options{KDF: testKDF}); !errors.Is(err, tc.want) {
				t.Fatalf("join: %v, want %v", err, tc.want)
			}
			if _, err := Open(path, Options{}); !errors.Is(err, ErrNotStore) {
				t.Errorf("a refused join left a store behind: %v", err)
			}
		})
	}
}
