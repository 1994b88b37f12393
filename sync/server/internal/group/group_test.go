package group

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// queued reports how many calls wait in c's queue.
func queued[T any](c *Committer[T]) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// waitFor yields until cond holds.
func waitFor(cond func() bool) {
	for !cond() {
		runtime.Gosched()
	}
}

// waitQueued waits until n calls wait in c's queue.
func waitQueued[T any](c *Committer[T], n int) {
	waitFor(func() bool { return queued(c) >= n })
}

func TestCallsThatArriveDuringACommitShareTheNext(t *testing.T) {
	release := make(chan struct{})
	var (
		mu     sync.Mutex
		groups [][]int
	)
	c := New(100, 1<<20, func(ops []int) []error {
		mu.Lock()
		groups = append(groups, append([]int(nil), ops...))
		first := len(groups) == 1
		mu.Unlock()
		if first {
			<-release
		}
		errs := make([]error, len(ops))
		for i, op := range ops {
			if op%3 == 0 {
				errs[i] = fmt.Errorf("op %d refused", op)
			}
		}
		return errs
	})
	results := make([]error, 11)
	var wg sync.WaitGroup
	wg.Go(func() { results[0] = c.Do(0, 1) })
	// The first call leads and holds its commit; ten more arrive.
	waitFor(func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(groups) == 1
	})
	for i := 1; i <= 10; i++ {
		wg.Go(func() { results[i] = c.Do(i, 1) })
	}
	waitQueued(c, 10)
	close(release)
	wg.Wait()
	if len(groups) != 2 || len(groups[1]) != 10 {
		t.Fatalf("groups %v, want [0] then the ten others together", groups)
	}
	for i, err := range results {
		if want := i%3 == 0; (err != nil) != want {
			t.Errorf("op %d: error %v, want an error: %v", i, err, want)
		}
	}
	if c.busy || queued(c) != 0 {
		t.Error("the committer is left busy")
	}
}

func TestGroupsKeepToTheirBounds(t *testing.T) {
	release := make(chan struct{})
	var (
		mu     sync.Mutex
		groups [][]int
	)
	c := New(4, 10, func(ops []int) []error {
		mu.Lock()
		groups = append(groups, append([]int(nil), ops...))
		first := len(groups) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return make([]error, len(ops))
	})
	var wg sync.WaitGroup
	wg.Go(func() { c.Do(-1, 1) })
	waitFor(func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(groups) == 1
	})
	// Nine calls of weight 3 queue up in order.
	for i := range 9 {
		wg.Go(func() { c.Do(i, 3) })
		waitQueued(c, i+1)
	}
	close(release)
	wg.Wait()
	if len(groups) != 4 {
		t.Fatalf("groups %v, want the first and then three of at most weight 10 (three ops each)", groups)
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			t.Errorf("group %v: want three ops of weight 3 (the fourth would pass 10)", g)
		}
	}
	// A heavy op alone still commits.
	if err := c.Do(100, 50); err != nil {
		t.Fatal(err)
	}
}

func TestManyCallersAllGetTheirOwnResult(t *testing.T) {
	errOdd := errors.New("odd")
	c := New(16, 1<<20, func(ops []int) []error {
		errs := make([]error, len(ops))
		for i, op := range ops {
			if op%2 == 1 {
				errs[i] = fmt.Errorf("%w: %d", errOdd, op)
			}
		}
		return errs
	})
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Go(func() {
			err := c.Do(i, 1)
			if got, want := err != nil, i%2 == 1; got != want {
				t.Errorf("op %d: error %v", i, err)
			}
			if err != nil && err.Error() != fmt.Sprintf("odd: %d", i) {
				t.Errorf("op %d got another op's error: %v", i, err)
			}
		})
	}
	wg.Wait()
}
