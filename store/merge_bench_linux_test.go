package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"medisecure/core"
)

// BenchmarkApplyRemote merges a catch-up's worth of another replica's
// changes (half patients, half appointments on 64 doctors' days, as the
// P7 figure makes them) in transactions of 5,000 changes.
func BenchmarkApplyRemote(b *testing.B) {
	raw, clk := baseStore(b)
	dir := b.TempDir()
	src := openPeer(b, "a", filepath.Join(dir, "a.db"), raw, clk)
	defer src.close(b)
	const n = 20_000
	var patients []core.ID
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for made := 0; made < n; {
		must(b, src.desk.Batch(func(w *Writer) error {
			for i := 0; i < 500 && made < n; i++ {
				if made%2 == 0 {
					p := &core.Patient{Name: fmt.Sprintf("Patient %d", made), DOB: "1970-01-01", Phone: fmt.Sprintf("+44 20 7946 %04d", made%10000)}
					if err := w.Add(p); err != nil {
						return err
					}
					patients = append(patients, p.ID)
				} else {
					slot := made / 2
					a := &core.Appointment{PatientID: patients[len(patients)-1], Doctor: fmt.Sprintf("dr.bench%02d", slot%64),
						Start: start.AddDate(0, 0, slot/64/32).Add(time.Duration(slot/64%32) * 15 * time.Minute), Minutes: 15, Reason: "follow-up", Status: core.ApptBooked}
					if err := w.Add(a); err != nil {
						return err
					}
				}
				made++
			}
			return nil
		}))
	}
	changes, err := src.admin.Outbox(0, n+1000)
	must(b, err)
	chunk := 5000
	if v, err := strconv.Atoi(os.Getenv("APPLY_CHUNK")); err == nil {
		chunk = v
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := openPeer(b, "b", filepath.Join(dir, fmt.Sprintf("b%d.db", i)), raw, clk)
		b.StartTimer()
		before := cpuTime()
		for j := 0; j < len(changes); j += chunk {
			if _, err := dst.admin.ApplyRemote(changes[j:min(j+chunk, len(changes))], 0); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - before
		b.StopTimer()
		dst.close(b)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(changes)), "µs/change")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*len(changes)), "cpu-µs/change")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
