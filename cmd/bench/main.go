// Command bench measures the figures of ../shared/TARGETS.md and prints one
// line per figure, "P1 0.41 ms limit 0.23 ms", each limit measured in the
// same run on the same machine. Figures that cannot run yet print "n/a" and
// why. Sizes default to the targets' and can be set with flags.
//
// It re-executes itself (-child) to measure a fresh process: start-up time
// to a first schedule (P3) and resident memory (P10).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// config are the sizes and places of one run.
type config struct {
	patients int
	appts    int
	dir      string
	bookings int
	keys     int
	only     string
}

func main() {
	var c config
	flag.IntVar(&c.patients, "patients", envInt("BENCH_PATIENTS", 100_000), "patients in the large store (P2, P3, P10)")
	flag.IntVar(&c.appts, "appointments", envInt("BENCH_APPOINTMENTS", 1_000_000), "appointments in the large store (P3)")
	flag.StringVar(&c.dir, "dir", filepath.Join(os.TempDir(), "medisecure-bench"), "where fixtures are built and kept between runs")
	flag.IntVar(&c.bookings, "bookings", 300, "bookings timed for P1")
	flag.IntVar(&c.keys, "keystrokes", 2000, "keystrokes timed for P2")
	flag.StringVar(&c.only, "only", "", "run only this figure (P1, P2, …)")
	child := flag.String("child", "", "internal: measure inside a fresh process")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if *child != "" {
		if err := runChild(*child, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// run prints every figure in order.
func run(ctx context.Context, c config) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	figures := []struct {
		id string
		fn func(context.Context, config) (string, error)
	}{
		{"P1", benchP1}, {"P2", benchP2}, {"P3", benchP3}, {"P4", benchP4},
		{"P5", benchP5}, {"P6", benchP6}, {"P7", benchP7}, {"P8", benchP8},
		{"P9", benchP9}, {"P10", benchP10}, {"P11", benchP11}, {"P12", benchP12}, {"P13", benchP13},
		{"P14", benchP14}, {"P15", benchP15},
	}
	for _, f := range figures {
		if c.only != "" && c.only != f.id {
			continue
		}
		line, err := f.fn(ctx, c)
		if err != nil {
			line = fmt.Sprintf("n/a (failed: %v)", err)
		}
		fmt.Printf("%s %s\n", f.id, line)
	}
	return nil
}

// notYet reports a figure that cannot run yet, and why.
func notYet(why string) func(context.Context, config) (string, error) {
	return func(context.Context, config) (string, error) { return "n/a " + why, nil }
}

// envInt reads an integer environment variable with a default.
func envInt(name string, def int) int {
	var v int
	if s := os.Getenv(name); s != "" {
		if _, err := fmt.Sscan(s, &v); err == nil && v > 0 {
			return v
		}
	}
	return def
}
