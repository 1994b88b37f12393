package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// benchP7 measures the catch-up of a workstation that was offline for 30
// days while another made about 120,000 changes (BENCH_P7_CHANGES): the
// other pushes them (untimed), then the time it takes the returning
// workstation to pull, open and merge them all.
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
	start := time.Now()
	rep, err := p.b.client.SyncOnce(ctx)
	elapsed := time.Since(start)
	if err != nil {
		return "", err
	}
	if rep.Pulled < n {
		return "", fmt.Errorf("caught up with %d of %d changes", rep.Pulled, n)
	}
	return fmt.Sprintf("%.2f s", elapsed.Seconds()), nil
}
