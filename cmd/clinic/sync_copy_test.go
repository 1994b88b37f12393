package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 8, defect 6 at the command line: a copy of a store syncs under
// the original's device ID; the original is told in one sentence which
// command makes it a device of its own, that command keeps its pending
// change, and then both sync. sync quarantine lists nothing and sync
// status counts it.
func TestCopiedStoreTurnsIntoANewDevice(t *testing.T) {
	a := setup(t)
	addr := startSyncd(t, a.now)
	a.as("admin", "admin-pass")
	syncOut(t, a, "--server", addr, "--token", syncToken)
	raw, err := os.ReadFile(filepath.Join(a.dir, "clinic.db"))
	must(t, err)
	clone := newCLI(t)
	must(t, os.WriteFile(filepath.Join(clone.dir, "clinic.db"), raw, 0o600))
	clone.as("admin", "admin-pass")

	add := func(c *cli, name string) {
		c.as("desk", "staff-pass")
		c.must("patient", "add", "--name", name, "--dob", "1980-01-01")
		c.as("admin", "admin-pass")
	}
	add(clone, "Carla Clone")
	syncOut(t, clone)
	add(a, "Otto Original")
	a.expect(exitStore, `^clinic: another store syncs under this workstation's device ID .*; run clinic sync new-device on this workstation`, "sync")
	if out := a.must("sync", "status"); !strings.Contains(out, "clinic sync new-device") || strings.Contains(out, "state:      synced") {
		t.Errorf("status after the refusal:\n%s", out)
	}
	if out := a.must("sync", "new-device"); !strings.Contains(out, "changes not yet pushed go out under the new device") {
		t.Fatalf("sync new-device printed %q", out)
	}
	syncOut(t, a, "--server", addr)
	syncOut(t, clone)
	syncOut(t, a)
	for _, c := range []*cli{a, clone} {
		c.as("desk", "staff-pass")
		for _, name := range []string{"Carla Clone", "Otto Original"} {
			if out := c.must("patient", "find", name); !strings.Contains(out, name) {
				t.Errorf("a workstation lacks %s:\n%s", name, out)
			}
		}
		c.as("admin", "admin-pass")
		if st := c.must("sync", "status"); !strings.Contains(st, "state:      synced") || !strings.Contains(st, "quarantine: 0") {
			t.Errorf("status after both synced:\n%s", st)
		}
		if q := c.must("sync", "quarantine"); strings.Count(q, "\n") > 1 {
			t.Errorf("sync quarantine lists:\n%s", q)
		}
	}
	if exportOf(t, a) != exportOf(t, clone) {
		t.Fatal("the exports differ")
	}
}
