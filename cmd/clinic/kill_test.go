package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// childEnv marks a test binary started as a clinic process by the kill
// tests; TestMain then runs the command line instead of the tests.
const childEnv = "CLINIC_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		// As main does, so that a child can be stopped with SIGTERM.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], newEnv())
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// killAt starts `clinic args…` as a real child process with c's user and
// passphrase, kills it with SIGKILL after d (or lets it finish first), and
// reports whether it finished on its own.
func killAt(t *testing.T, c *cli, d time.Duration, args ...string) bool {
	t.Helper()
	n := subLen(args)
	full := append(append(append([]string{}, args[:n]...), "--data", c.dir), args[n:]...)
	cmd := exec.Command(os.Args[0], full...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "CLINIC_USER="+c.vars["CLINIC_USER"], "CLINIC_PASSPHRASE="+c.vars["CLINIC_PASSPHRASE"])
	must(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return false
	}
}

// TestSyncSurvivesSIGKILL kills real workstation processes (SIGKILL) at
// random points of a push (one workstation) and of a pull (the other), 24
// times, restarting each: the stores always open, and once sync runs to the end both
// hold the same records, every patient there exactly once, and nothing is
// left unacknowledged.
func TestSyncSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of processes")
	}
	// The child processes sign requests with the real clock, so the
	// server and the in-process commands use it too.
	a := setup(t)
	a.now = time.Now()
	addr := startSyncd(t, a.now)
	a.as("admin", "admin-pass")
	syncOut(t, a, "--server", addr, "--token", syncToken)
	b := secondWorkstation(t, a)
	b.now = a.now
	syncOut(t, b, "--server", addr)

	// Each round a gets 300 new patients, then a's push and b's pull are
	// each killed at a random point (or finish first), until 24 kills.
	rng := rand.New(rand.NewPCG(7, 11))
	kills := 0
	a.as("desk", "staff-pass")
	b.as("desk", "staff-pass")
	added := 0
	for round := 0; kills < 24 && round < 60; round++ {
		addPatients(t, a, added, 300)
		added += 300
		for _, c := range []*cli{a, b} {
			d := time.Duration(2+rng.IntN(120)) * time.Millisecond
			if !killAt(t, c, d, "sync") {
				kills++
			}
			// Whatever the kill hit, the store opens and reads.
			c.must("patient", "find", "killtest")
		}
	}
	if kills < 24 {
		t.Fatalf("only %d syncs were killed before they finished in 60 rounds", kills)
	}
	syncOut(t, a)
	syncOut(t, b)
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("exports differ after syncs killed and restarted")
	}
	export := exportOf(t, b)
	for i := 0; i < added; i += 97 {
		name := fmt.Sprintf(`"name":"Killtest Patient %04d"`, i)
		if strings.Count(export, name) != 1 {
			t.Errorf("%s appears %d times on b", name, strings.Count(export, name))
		}
	}
	for _, c := range []*cli{a, b} {
		if out := c.must("sync", "status"); !strings.Contains(out, "pending:    0 changes") {
			t.Errorf("changes left unacknowledged:\n%s", out)
		}
	}
}

// addPatients registers patients from..from+n on c's store in one batch.
func addPatients(t *testing.T, c *cli, from, n int) {
	t.Helper()
	db, err := store.Open(filepath.Join(c.dir, "clinic.db"), store.Options{Now: func() time.Time { return c.now }})
	must(t, err)
	defer db.Close()
	s, err := db.Login("desk", "staff-pass")
	must(t, err)
	must(t, s.Batch(func(w *store.Writer) error {
		for i := from; i < from+n; i++ {
			p := &core.Patient{Name: fmt.Sprintf("Killtest Patient %04d", i), DOB: "1970-01-01", Phone: fmt.Sprintf("555 %04d", i)}
			if err := w.Add(p); err != nil {
				return err
			}
		}
		return nil
	}))
}
