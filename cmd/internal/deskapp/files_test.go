package deskapp

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"medisecure/core"
	"medisecure/store"
)

// A message's files could be saved only with clinic message read. The TUI
// saves them through SaveAttachments: into the folder the user names, never
// over a file already there, and never over SSH, where the folder would be
// on the clinic host.
func TestSaveAttachmentsFromTheTUI(t *testing.T) {
	db, admin := newStore(t, "Test")
	must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, "desk-pass"))
	must(t, admin.AddUser(core.User{Name: "okafor", Role: core.RoleDoctor}, "doc-pass"))
	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	m, err := desk.SendMessage(core.Message{To: []string{"okafor"}, Subject: "Scan", Body: "attached"},
		core.File{Name: "scan.txt", MIMEType: "text/plain", Data: []byte("page one")})
	must(t, err)

	dir := t.TempDir()
	over, err := Backend{DB: db}.Login("okafor", "doc-pass")
	must(t, err)
	if _, err := over.SaveAttachments(m.ID, dir); !errors.Is(err, ErrNoLocalSave) {
		t.Fatalf("over ssh: %v", err)
	}
	s, err := Backend{DB: db, LocalFiles: true}.Login("okafor", "doc-pass")
	must(t, err)
	paths, err := s.SaveAttachments(m.ID, dir)
	must(t, err)
	if got, err := os.ReadFile(filepath.Join(dir, "scan.txt")); err != nil || string(got) != "page one" || len(paths) != 1 {
		t.Fatalf("saved %v: %q %v", paths, got, err)
	}
	if _, err := s.SaveAttachments(m.ID, dir); !errors.Is(err, ErrSaveFile) {
		t.Fatalf("saving over an existing file: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "scan.txt")); string(got) != "page one" {
		t.Fatalf("the file was written over: %q", got)
	}
	opened, err := s.OpenMessage(m.ID)
	must(t, err)
	if len(opened.ReadBy) != 1 || opened.ReadBy[0] != "okafor" {
		t.Errorf("saving did not record the read: %v", opened.ReadBy)
	}
}

// newStore makes a store in a temporary folder for the organisation org,
// with fast key derivation, and logs its admin in; the store is closed when
// the test ends.
func newStore(t *testing.T, org string) (*store.DB, *store.Session) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clinic.db")
	opts := store.Options{KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}}
	must(t, store.Create(path, store.InitOptions{Org: org, Admin: "admin", Passphrase: "admin-pass"}, opts))
	db, err := store.Open(path, opts)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	admin, err := db.Login("admin", "admin-pass")
	must(t, err)
	return db, admin
}
