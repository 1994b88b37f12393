package main

import (
	"fmt"
	"os"
	"runtime"
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
		rss, err := resident()
		if err != nil {
			return err
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Printf("%.1f MB with %d patients loaded (anonymous %.1f MB, of which Go heap in use %.1f MB; file pages %.1f MB)\n",
			rss["VmRSS"], s.PatientCount(), rss["RssAnon"], float64(m.HeapInuse)/(1<<20), rss["RssFile"]+rss["RssShmem"])
		return nil
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// resident reads this process's resident set size and its parts (VmRSS,
// RssAnon, RssFile, RssShmem) in MB.
func resident() (map[string]float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && (name == "VmRSS" || strings.HasPrefix(name, "Rss")) {
			var kb float64
			fmt.Sscan(value, &kb)
			out[name] = kb / 1024
		}
	}
	if _, ok := out["VmRSS"]; !ok {
		return nil, fmt.Errorf("no VmRSS in /proc/self/status")
	}
	return out, nil
}
