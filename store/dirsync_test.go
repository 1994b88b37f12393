package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"medisecure/core"
)

// replica copies the fixture's store file (closed) to a second file of the
// same organisation and opens it.
func replica(t *testing.T, f *fixture) *DB {
	t.Helper()
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	path := filepath.Join(t.TempDir(), "replica.db")
	must(t, os.WriteFile(path, raw, 0o600))
	f.open(t)
	f.login(t)
	db, err := Open(path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDirectoryImportLetsANewUserLogInElsewhere(t *testing.T) {
	f := newFixture(t)
	other := replica(t, f)
	must(t, f.admin.AddUser(core.User{Name: "nina", Role: core.RoleNurse}, "nurse-pass"))
	if _, err := other.Login("nina", "nurse-pass"); !errors.Is(err, core.ErrAuth) {
		t.Fatalf("login before import: %v", err)
	}
	entries, err := f.admin.DirectoryEntries()
	must(t, err)
	n, err := other.ImportDirectory(entries)
	must(t, err)
	if n != 1 {
		t.Errorf("import changed %d entries, want 1 (nina)", n)
	}
	s, err := other.Login("nina", "nurse-pass")
	if err != nil {
		t.Fatalf("login after import: %v", err)
	}
	if s.Principal().Role != core.RoleNurse {
		t.Errorf("role = %s", s.Principal().Role)
	}
	if n, err := other.ImportDirectory(entries); err != nil || n != 0 {
		t.Errorf("second import: %d %v, want 0 changes", n, err)
	}
}

func TestDirectoryImportRefusesForgedEntries(t *testing.T) {
	f := newFixture(t)
	other := replica(t, f)
	entries, err := f.admin.DirectoryEntries()
	must(t, err)
	for i, raw := range entries {
		if !bytes.Contains(raw, []byte(`"name":"desk"`)) {
			continue
		}
		forged := bytes.Replace(raw, []byte(`"role":"reception"`), []byte(`"role":"admin"`), 1)
		if bytes.Equal(forged, raw) {
			t.Fatal("test did not change the role")
		}
		bad := append(append([][]byte{}, entries[:i]...), forged)
		bad = append(bad, entries[i+1:]...)
		if _, err := other.ImportDirectory(bad); !errors.Is(err, ErrBadDirectory) {
			t.Fatalf("forged role: %v, want ErrBadDirectory", err)
		}
		s, err := other.Login("desk", "desk-pass")
		must(t, err)
		if s.Principal().Role != core.RoleReception {
			t.Errorf("a refused import changed desk's role to %s", s.Principal().Role)
		}
		return
	}
	t.Fatal("no entry for desk")
}
