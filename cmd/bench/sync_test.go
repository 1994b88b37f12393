package main

import (
	"context"
	"regexp"
	"testing"
)

// The sync figures run end to end at small sizes and print lines in the
// format of TARGETS.md; tests never look at the values.
func TestSyncFiguresRun(t *testing.T) {
	for k, v := range map[string]string{
		"BENCH_P5_CHANGES": "300", "BENCH_P5_MESSAGES": "2000", "BENCH_P6_ROUNDS": "3", "BENCH_P7_CHANGES": "600",
		"BENCH_P9_DEVICES": "20", "BENCH_P9_BATCHES": "2", "BENCH_P9_CHANGES": "10",
	} {
		t.Setenv(k, v)
	}
	figures := []struct {
		id   string
		fn   func(context.Context, config) (string, error)
		want string
	}{
		{"P5", benchP5, `^\d+ changes/s limit \d+ msgs/s$`},
		{"P6", benchP6, `^\d+ B/change limit \d+ B/change$`},
		{"P7", benchP7, `^\d+\.\d\d s$`},
		{"P9", benchP9, `^\d+ changes/s 0 errors; p99 push acknowledgement \d+\.\d ms at \d+ changes/s offered \(\d+ kept, 0 errors\); 20 devices × 2 batches × 10 changes$`},
	}
	for _, f := range figures {
		t.Run(f.id, func(t *testing.T) {
			line, err := f.fn(context.Background(), config{dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(f.want).MatchString(line) {
				t.Fatalf("%s printed %q", f.id, line)
			}
		})
	}
}
