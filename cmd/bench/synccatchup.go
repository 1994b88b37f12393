package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// benchP7 measures the catch-up of a workstation that was offline for 30
// days while another made about 120,000 changes (BENCH_P7_CHANGES): the
// other pushes them (untimed), then the time it takes the returning
// workstation to pull, open and merge them all.
//
// BENCH_P7_CPUPROFILE, when set, names a file for a CPU profile of the
// timed catch-up alone (not the fill and push before it; not with
// -cpuprofile, which holds the profiler for the whole run).
// BENCH_P7_TRACE, when set, names a file for an execution trace of the
// same window (go tool trace): where the merge waits and cores idle.
func benchP7(ctx context.Context, c config) (string, error) {
	n := envInt("BENCH_P7_CHANGES", 120_000)
	dir := filepath.Join(c.dir, "p7")
	defer os.RemoveAll(dir)
	p, err := newPair(ctx, dir, nil)
	if err != nil {
		return "", err
	}
	defer p.close()
	if err := fillChanges(p.a, n, fixedNow.AddDate(0, 1, 0)); err != nil {
		return "", err
	}
	if _, err := p.a.client.SyncOnce(ctx); err != nil {
		return "", err
	}
	stop, err := windowProfile(os.Getenv("BENCH_P7_CPUPROFILE"))
	if err != nil {
		return "", err
	}
	stopTrace, err := windowTrace(os.Getenv("BENCH_P7_TRACE"))
	if err != nil {
		stop()
		return "", err
	}
	start := time.Now()
	rep, err := p.b.client.SyncOnce(ctx)
	elapsed := time.Since(start)
	if perr := stop(); err == nil && perr != nil {
		return "", perr
	}
	if terr := stopTrace(); err == nil && terr != nil {
		return "", terr
	}
	if err != nil {
		return "", err
	}
	if rep.Pulled < n {
		return "", fmt.Errorf("caught up with %d of %d changes", rep.Pulled, n)
	}
	return fmt.Sprintf("%.2f s", elapsed.Seconds()), nil
}

// windowProfile starts a CPU profile into the file named path, "" for
// none, and returns what stops it and writes the profile out.
func windowProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("window profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// windowTrace starts an execution trace into the file named path, ""
// for none, and returns what stops it and closes the file.
func windowTrace(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("window trace: %w", err)
	}
	return func() error {
		trace.Stop()
		return f.Close()
	}, nil
}
