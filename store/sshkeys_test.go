package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"golang.org/x/crypto/ssh"

	"medisecure/core"
)

// newSSHKey is a fresh public key in authorized_keys form.
func newSSHKey(t testing.TB, comment string) []byte {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	sp, err := ssh.NewPublicKey(pub)
	must(t, err)
	line := ssh.MarshalAuthorizedKey(sp)
	return append(line[:len(line)-1], []byte(" "+comment+"\n")...)
}

func TestSSHKeysAddListRemove(t *testing.T) {
	f := newFixture(t)
	line := newSSHKey(t, "dr@room3")
	k, err := f.admin.AddSSHKey("drwho", line)
	must(t, err)
	if k.User != "drwho" || k.Comment != "dr@room3" || k.Type != "ssh-ed25519" || k.AddedBy != "admin" {
		t.Fatalf("added %+v", k)
	}
	if again, err := f.admin.AddSSHKey("drwho", line); err != nil || again.Added != k.Added {
		t.Fatalf("adding the same key again: %+v, %v", again, err)
	}
	if _, err := f.admin.AddSSHKey("desk", line); !errors.Is(err, ErrUserExists) {
		t.Fatalf("the same key for another user: %v", err)
	}
	user, err := f.db.UserOfKey(k.Fingerprint)
	if err != nil || user != "drwho" {
		t.Fatalf("UserOfKey = %q, %v", user, err)
	}
	keys, err := f.admin.SSHKeys("")
	if err != nil || len(keys) != 1 || keys[0].Fingerprint != k.Fingerprint {
		t.Fatalf("SSHKeys = %+v, %v", keys, err)
	}
	gone, err := f.admin.RemoveSSHKey(k.Fingerprint)
	if err != nil || len(gone) != 1 {
		t.Fatalf("remove = %+v, %v", gone, err)
	}
	if _, err := f.db.UserOfKey(k.Fingerprint); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a removed key is still known: %v", err)
	}
	if _, err := f.admin.RemoveSSHKey(k.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removing it twice: %v", err)
	}
}

func TestSSHKeysAreForAdmins(t *testing.T) {
	f := newFixture(t)
	line := newSSHKey(t, "x")
	for _, s := range []*Session{f.desk, f.doctor} {
		if _, err := s.AddSSHKey("drwho", line); !errors.Is(err, core.ErrDenied) {
			t.Errorf("%s added a key: %v", s.User().Name, err)
		}
		if _, err := s.SSHKeys(""); !errors.Is(err, core.ErrDenied) {
			t.Errorf("%s listed keys: %v", s.User().Name, err)
		}
		if _, err := s.RemoveSSHKey("drwho"); !errors.Is(err, core.ErrDenied) {
			t.Errorf("%s removed keys: %v", s.User().Name, err)
		}
	}
}

func TestSSHKeyRefusals(t *testing.T) {
	f := newFixture(t)
	if _, err := f.admin.AddSSHKey("drwho", []byte("not a key")); !errors.Is(err, ErrBadKey) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := f.admin.AddSSHKey("nobody", newSSHKey(t, "x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := f.db.UserOfKey("SHA256:nothing"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key: %v", err)
	}
	k, err := f.admin.AddSSHKey("desk", newSSHKey(t, "bad\x1b[2Jcomment"))
	if err != nil || k.Comment != "" {
		t.Errorf("a comment with an escape sequence was kept: %q, %v", k.Comment, err)
	}
}

func TestKeySessionOnlyReads(t *testing.T) {
	f := newFixture(t)
	s, err := f.db.KeySession("desk")
	must(t, err)
	if s.Principal().Role != core.RoleReception {
		t.Fatalf("key session of %+v", s.Principal())
	}
	if _, err := s.AddPatient(core.Patient{Name: "Zoe Adams", DOB: "1990-01-02"}); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("a key-only session wrote: %v", err)
	}
	if _, err := s.Doctors(); err != nil {
		t.Fatalf("a key-only session cannot read: %v", err)
	}
	if _, err := f.db.KeySession("nobody"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("key session of an unknown user: %v", err)
	}
}

func TestKeySessionNeedsAnUnlockedStore(t *testing.T) {
	f := newFixture(t)
	f.close(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	must(t, err)
	defer db.Close()
	if _, err := db.KeySession("desk"); !errors.Is(err, ErrStoreLocked) {
		t.Fatalf("key session on a locked store: %v", err)
	}
}
