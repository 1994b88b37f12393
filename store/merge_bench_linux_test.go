package store

import (
	"bytes"
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
	fillCatchUp(b, src, n)
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

// fillCatchUp makes n changes on src as the P7 figure makes them: half
// patients, half their appointments on 64 doctors' days.
func fillCatchUp(b testing.TB, src *peer, n int) {
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
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkApplyBatches times what a pull's merge goroutine does alone:
// ApplyBatches of batches of 500 changes, ten to a transaction
// (APPLY_BATCHES; of 20,000 changes, APPLY_CHANGES), each batch prepared and its signatures checked beforehand
// (PrepareBatch, untimed, as the pull's prepare stage does it on other
// cores). It reports the CPU, and the write calls and pages written per change.
func BenchmarkApplyBatches(b *testing.B) {
	raw, clk := baseStore(b)
	dir := b.TempDir()
	src := openPeer(b, "a", filepath.Join(dir, "a.db"), raw, clk)
	defer src.close(b)
	n, group := 20_000, 10
	if v, err := strconv.Atoi(os.Getenv("APPLY_CHANGES")); err == nil {
		n = v
	}
	if v, err := strconv.Atoi(os.Getenv("APPLY_BATCHES")); err == nil {
		group = v
	}
	fillCatchUp(b, src, n)
	changes, err := src.admin.Outbox(0, n+1000)
	must(b, err)
	envelope := bytes.Repeat([]byte{0x5a}, 14_000) // a P7 batch's envelope, about
	var cpu time.Duration
	var writes, pages int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := openPeer(b, "b", filepath.Join(dir, fmt.Sprintf("b%d.db", i)), raw, clk)
		var batches []PulledBatch
		for j := 0; j < len(changes); j += 500 {
			part := changes[j:min(j+500, len(changes))]
			pb := PulledBatch{Batch: Batch{Device: part[0].Device, First: part[0].Seq, Last: part[len(part)-1].Seq, Envelope: envelope}, Changes: part}
			dst.admin.PrepareBatch(&pb)
			batches = append(batches, pb)
		}
		st := dst.db.bolt.Stats()
		written, alloc := st.TxStats.GetWrite(), st.TxStats.GetPageAlloc()
		b.StartTimer()
		before := cpuTime()
		for j := 0; j < len(batches); j += group {
			if _, err := dst.admin.ApplyBatches(batches[j:min(j+group, len(batches))], uint64(j+1)); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - before
		b.StopTimer()
		st = dst.db.bolt.Stats()
		writes += st.TxStats.GetWrite() - written
		pages += (st.TxStats.GetPageAlloc() - alloc) / int64(os.Getpagesize())
		dst.close(b)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(changes)), "µs/change")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*len(changes)), "cpu-µs/change")
	b.ReportMetric(float64(writes)/float64(b.N*len(changes)), "writes/change")
	b.ReportMetric(float64(pages)/float64(b.N*len(changes)), "pages/change")
}
