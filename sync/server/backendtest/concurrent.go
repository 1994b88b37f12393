package backendtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"medisecure/sync/server"
)

// RunShared runs the suite of the rules that must hold when several
// servers share one storage at once (several syncd processes on one
// database): open returns two handles on one fresh, empty storage, which
// may be the same handle where a backend allows one process only. Calls
// alternate between the handles.
func RunShared(t *testing.T, open func(t *testing.T) (a, b server.Backend)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h []server.Backend)
	}{
		{"SameBatchAtOnce", testSameBatchAtOnce},
		{"OutOfOrderPushes", testOutOfOrderPushes},
		{"PullersSeeAPrefix", testPullersSeeAPrefix},
		{"RevocationsAtOnce", testRevocationsAtOnce},
		{"ReplayAtOnce", testReplayAtOnce},
		{"NoncedAtOnce", testNoncedAtOnce},
		{"RegistrationsAtOnce", testRegistrationsAtOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := open(t)
			tt.fn(t, []server.Backend{a, b})
		})
	}
}

// collect gathers the unexpected errors of concurrent workers.
type collect struct {
	mu   sync.Mutex
	errs []error
}

func (c *collect) add(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

func (c *collect) check(t *testing.T) {
	t.Helper()
	for _, err := range c.errs {
		t.Error(err)
	}
	if len(c.errs) > 0 {
		t.FailNow()
	}
}

// A batch pushed by many callers at once (a workstation that retried
// through two servers after a lost answer) is stored once: one caller
// files it, all the others are told it is a duplicate with the same
// server sequence.
func testSameBatchAtOnce(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	const callers = 12
	for round := uint64(1); round <= 3; round++ {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			fresh int
			seqs  = map[uint64]int{}
			errs  collect
		)
		for i := range callers {
			wg.Go(func() {
				seq, dup, err := h[i%2].Append(ctx, "org-1", batch("dev-a", round, round, 1))
				if err != nil {
					errs.add(fmt.Errorf("caller %d: %v", i, err))
					return
				}
				mu.Lock()
				defer mu.Unlock()
				seqs[seq]++
				if !dup {
					fresh++
				}
			})
		}
		wg.Wait()
		errs.check(t)
		if fresh != 1 || len(seqs) != 1 {
			t.Fatalf("round %d: %d callers filed the batch, server sequences %v; want 1 and one sequence", round, fresh, seqs)
		}
	}
	if n := len(rangeAll(t, h[1], "org-1")); n != 3 {
		t.Fatalf("the log holds %d batches, want 3", n)
	}
}

// Devices whose batches arrive in any order through either server: a
// batch after a gap is refused (ErrSeqGap) until the one before it is
// stored, so each device's batches end up contiguous and in order, and
// the server sequences are 1..n without a hole.
func testOutOfOrderPushes(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	devs := []string{"dev-a", "dev-b", "dev-c"}
	for _, d := range devs[1:] {
		addDevice(t, h[1], "org-1", d)
	}
	const per = 8
	var (
		wg   sync.WaitGroup
		errs collect
	)
	for di, d := range devs {
		// Each batch has its own pusher, started in a shuffled order.
		order := rand.New(rand.NewPCG(uint64(di), 7)).Perm(per)
		for _, k := range order {
			seq := uint64(k + 1)
			wg.Go(func() {
				for attempt := 0; ; attempt++ {
					_, _, err := h[(int(seq)+attempt)%2].Append(ctx, "org-1", batch(d, seq, seq, 1))
					switch {
					case err == nil:
						return
					case !errors.Is(err, server.ErrSeqGap):
						errs.add(fmt.Errorf("%s %d: %v", d, seq, err))
						return
					case attempt > 10_000:
						errs.add(fmt.Errorf("%s %d: still refused after %d attempts", d, seq, attempt))
						return
					}
				}
			})
		}
	}
	wg.Wait()
	errs.check(t)
	got := rangeAll(t, h[0], "org-1")
	if len(got) != len(devs)*per {
		t.Fatalf("%d batches stored, want %d", len(got), len(devs)*per)
	}
	next := map[string]uint64{}
	for i, s := range got {
		if s.Seq != uint64(i+1) {
			t.Fatalf("server sequences are not 1..%d without holes: item %d is %d", len(got), i, s.Seq)
		}
		next[s.Device]++
		if s.First != next[s.Device] {
			t.Fatalf("%s's batch %d was stored where %d was next", s.Device, s.First, next[s.Device])
		}
	}
}

// A puller that pages through the log while others push never sees a
// server sequence before an earlier one is visible: were sequences
// handed out in one order and committed in another, a puller could move
// its cursor past a batch that was not yet there, and never get it.
func testPullersSeeAPrefix(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	devs := []string{"dev-a", "dev-b", "dev-c", "dev-d"}
	for _, d := range devs[1:] {
		addDevice(t, h[0], "org-1", d)
	}
	const per = 15
	var (
		pushers sync.WaitGroup
		errs    collect
	)
	for i, d := range devs {
		pushers.Go(func() {
			for s := uint64(1); s <= per; s++ {
				if _, _, err := h[(i+int(s))%2].Append(ctx, "org-1", batch(d, s, s, 1)); err != nil {
					errs.add(fmt.Errorf("%s %d: %v", d, s, err))
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		pushers.Wait()
		close(done)
	}()
	total := uint64(len(devs) * per)
	var pullers sync.WaitGroup
	for p := range 2 {
		pullers.Go(func() {
			cursor := uint64(0)
			for finished := false; cursor < total; {
				select {
				case <-done:
					finished = true
				default:
				}
				page, err := h[p].Range(ctx, "org-1", cursor, 3)
				if err != nil {
					errs.add(fmt.Errorf("puller %d: %v", p, err))
					return
				}
				for _, s := range page {
					if s.Seq != cursor+1 {
						errs.add(fmt.Errorf("puller %d after %d saw %d: a batch before it was not visible", p, cursor, s.Seq))
						return
					}
					cursor = s.Seq
				}
				if finished && len(page) == 0 && cursor < total {
					errs.add(fmt.Errorf("puller %d stopped at %d of %d", p, cursor, total))
					return
				}
			}
		})
	}
	pullers.Wait()
	errs.check(t)
}

// Revocations through both servers at once, each raising the epoch: the
// organisation ends at the highest, and each refusal is a stale epoch.
func testRevocationsAtOnce(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	const n = 10
	for i := range n {
		addDevice(t, h[0], "org-1", fmt.Sprintf("dev-%02d", i))
	}
	var (
		wg   sync.WaitGroup
		errs collect
	)
	for i := range n {
		wg.Go(func() {
			_, err := h[i%2].RevokeDevice(ctx, "org-1", fmt.Sprintf("dev-%02d", i), uint32(2+i), epoch0)
			if err != nil && !errors.Is(err, server.ErrStaleEpoch) {
				errs.add(fmt.Errorf("revoking dev-%02d: %v", i, err))
			}
		})
	}
	wg.Wait()
	errs.check(t)
	if o, err := h[1].Org(ctx, "org-1"); err != nil || o.MinEpoch != n+1 {
		t.Fatalf("minimum epoch %d (%v) after revocations up to %d", o.MinEpoch, err, n+1)
	}
	d, err := h[0].Device(ctx, "org-1", fmt.Sprintf("dev-%02d", n-1))
	if err != nil || !d.Revoked {
		t.Fatalf("the device revoked at the highest epoch reads %+v, %v", d, err)
	}
}

// One request replayed through both servers at once is accepted once.
func testReplayAtOnce(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	const callers = 12
	for round := range 3 {
		nonce := fmt.Appendf(nil, "nonce-%010d", round)
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			fresh int
			errs  collect
		)
		for i := range callers {
			wg.Go(func() {
				seen, err := h[i%2].SeenNonce(ctx, "org-1", "dev-a", nonce, epoch0)
				if err != nil {
					errs.add(err)
					return
				}
				if !seen {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		errs.check(t)
		if fresh != 1 {
			t.Fatalf("round %d: %d of %d callers were told the nonce was new, want 1", round, fresh, callers)
		}
	}
}

// One organisation registered through both servers at once exists once,
// with the root key and first device of the registration that won.
func testRegistrationsAtOnce(t *testing.T, h []server.Backend) {
	const callers = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		won  []int
		errs collect
	)
	for i := range callers {
		wg.Go(func() {
			o := org("org-1")
			o.RootKey = key(fmt.Sprintf("root %d", i))
			err := h[i%2].RegisterOrg(ctx, o, device(fmt.Sprintf("dev-%d", i)))
			switch {
			case err == nil:
				mu.Lock()
				won = append(won, i)
				mu.Unlock()
			case !errors.Is(err, server.ErrOrgExists):
				errs.add(err)
			}
		})
	}
	wg.Wait()
	errs.check(t)
	if len(won) != 1 {
		t.Fatalf("%d registrations succeeded, want 1", len(won))
	}
	o, err := h[1].Org(ctx, "org-1")
	if err != nil || !o.RootKey.Equal(key(fmt.Sprintf("root %d", won[0]))) {
		t.Fatalf("the organisation reads %+v, %v; want the root key of registration %d", o, err, won[0])
	}
	devs, err := h[0].Devices(ctx, "org-1")
	if err != nil || len(devs) != 1 || devs[0].ID != fmt.Sprintf("dev-%d", won[0]) {
		t.Fatalf("devices %+v, %v; want only the winner's first device", devs, err)
	}
}
