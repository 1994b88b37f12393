package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// editStore changes the closed store file of c with bbolt directly.
func editStore(t *testing.T, c *cli, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(c.dir, "clinic.db"), 0o600, nil)
	must(t, err)
	must(t, db.Update(fn))
	must(t, db.Close())
}

func TestDamagedSearchShardIsRebuiltAndSaid(t *testing.T) {
	c := setup(t)
	editStore(t, c, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("search"))
		k, v := b.Cursor().First()
		v = bytes.Clone(v)
		v[len(v)/2] ^= 1
		return b.Put(bytes.Clone(k), v)
	})
	c.as("desk", "staff-pass")
	out, errOut, code := c.run("patient", "find", "a")
	if code != 0 || !strings.Contains(errOut, "search index was damaged and has been rebuilt") || out == "" {
		t.Fatalf("patient find after a damaged shard: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, _ := c.run("patient", "find", "a"); strings.Contains(errOut, "rebuilt") {
		t.Fatalf("the index was rebuilt again: %q", errOut)
	}
}

func TestStoreCheckAndSalvage(t *testing.T) {
	c := setup(t)
	c.must("store", "check")
	editStore(t, c, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("records")).Bucket([]byte("patient"))
		k, v := b.Cursor().First()
		v = bytes.Clone(v)
		v[len(v)-1] ^= 1
		return b.Put(bytes.Clone(k), v)
	})
	c.expect(exitStore, `^clinic: store damaged: 1 records unreadable; copy what can be read with clinic store salvage --to DIR\n$`, "store", "check")
	c.as("desk", "staff-pass")
	c.expect(exitAuth, `admin`, "store", "check")
	c.as("admin", "admin-pass")
	to := filepath.Join(t.TempDir(), "salvaged")
	out := c.must("store", "salvage", "--to", to)
	for _, want := range []string{"left behind: 1 records", "search index rebuilt: 29 patients"} {
		if !strings.Contains(out, want) {
			t.Errorf("salvage says %q, without %q", out, want)
		}
	}
	c.expect(exitUsage, `--to is required`, "store", "salvage")
	s := &cli{t: t, dir: to, vars: c.vars, now: c.now}
	s.must("store", "check")
	s.as("desk", "staff-pass")
	if found := s.must("patient", "find", "a"); found == "" {
		t.Fatal("the salvaged store finds no patient")
	}
}

// TestDamagedPageExitsFourNeverCrashes breaks the element count of every
// page of a store in turn: export either works or says "store damaged"
// with exit 4, never a crash or a stack trace.
func TestDamagedPageExitsFourNeverCrashes(t *testing.T) {
	c := setup(t)
	path := filepath.Join(c.dir, "clinic.db")
	orig, err := os.ReadFile(path)
	must(t, err)
	damaged, pages := 0, len(orig)/4096
	for page := 2; page < pages; page += max(1, pages/20) {
		file := bytes.Clone(orig)
		file[page*4096+11] ^= 0x7f // the high byte of the element count
		must(t, os.WriteFile(path, file, 0o600))
		_, errOut, code := c.run("export")
		switch {
		case code == 0:
		case code == exitStore && strings.HasPrefix(errOut, "clinic: store damaged: "):
			damaged++
		case code == exitStore && !strings.Contains(errOut, "goroutine") && strings.Count(errOut, "\n") == 1:
		default:
			t.Fatalf("page %d damaged: exit %d, %q", page, code, errOut)
		}
	}
	if damaged == 0 {
		t.Fatal("no damaged page said \"store damaged\"; the test proves nothing")
	}
}
