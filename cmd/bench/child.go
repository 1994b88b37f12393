package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"medisecure/cmd/internal/deskapp"
	"medisecure/store"
)

// runChild measures inside a fresh process.
func runChild(mode string, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("child needs the store path")
	}
	now := func() time.Time { return fixedNow }
	db, err := store.Open(args[0], store.Options{Now: now})
	if err != nil {
		return err
	}
	defer db.Close()
	switch mode {
	case "p3":
		// From here to the first schedule the TUI draws: the login form,
		// Argon2id, unlocking, loading the day and rendering it.
		_, view, err := tuiFirstSchedule(deskapp.Backend{DB: db}, "desk", benchPass, now, 120, 40)
		if err != nil {
			return err
		}
		fmt.Printf("ready %d bytes rendered\n", len(view))
		return nil
	case "p10":
		s, err := db.Login("desk", benchPass)
		if err != nil {
			return err
		}
		if _, err := s.FindPatients("ann", 20); err != nil {
			return err
		}
		// Hand back what the Argon2id derivation borrowed (64 MiB) so the
		// figure is the steady state of a logged-in workstation.
		debug.FreeOSMemory()
		rss, err := residentMB()
		if err != nil {
			return err
		}
		fmt.Printf("%.1f MB with %d patients loaded\n", rss, s.PatientCount())
		return nil
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// residentMB reads this process's resident set size.
func residentMB() (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscan(strings.TrimPrefix(line, "VmRSS:"), &kb)
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}
