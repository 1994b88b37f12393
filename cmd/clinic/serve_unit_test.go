package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSystemdUnitRunsClinicServe reads the example unit in docs/: its
// ExecStart is a clinic serve that clinic takes, it may write where the
// store is, stops with SIGTERM, and waits longer than the host's own
// shutdown before it kills.
func TestSystemdUnitRunsClinicServe(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "clinic-serve.service"))
	must(t, err)
	unit := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			unit[k] = v
		}
	}
	words := strings.Fields(unit["ExecStart"])
	if len(words) < 2 || filepath.Base(words[0]) != "clinic" || words[1] != "serve" {
		t.Fatalf("ExecStart=%s is not clinic serve", unit["ExecStart"])
	}
	root := newRoot(newEnv())
	cmd, args, err := root.Find(words[1:])
	if err != nil || cmd.Name() != "serve" {
		t.Fatalf("clinic does not take ExecStart=%s: %v", unit["ExecStart"], err)
	}
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("clinic serve does not take the unit's flags %q: %v", args, err)
	}
	if data := cmd.Flag("data"); data == nil || data.Value.String() != unit["ReadWritePaths"] {
		t.Errorf("the unit may write %q, the store is at --data %v", unit["ReadWritePaths"], data)
	}
	if cmd.Flag("unlock").Value.String() == "true" && !strings.Contains(unit["Environment"], "CLINIC_USER=") {
		t.Errorf("--unlock without CLINIC_USER in the unit's environment")
	}
	if unit["KillSignal"] != "SIGTERM" {
		t.Errorf("KillSignal=%s, want SIGTERM", unit["KillSignal"])
	}
	if stop, err := strconv.Atoi(unit["TimeoutStopSec"]); err != nil || stop <= int(serveStopWait.Seconds()) {
		t.Errorf("TimeoutStopSec=%s: systemd would kill the host before its %s shutdown", unit["TimeoutStopSec"], serveStopWait)
	}
}
