package backendtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"medisecure/sync/server"
)

// nonced returns b as a NoncedAppender, or skips the test when b is not
// one (a backend need not be).
func nonced(t *testing.T, b server.Backend) server.NoncedAppender {
	t.Helper()
	n, ok := b.(server.NoncedAppender)
	if !ok {
		t.Skip("the backend does not record a push's nonce with its batch")
	}
	return n
}

// A push's nonce and batch are one step: a replayed nonce files nothing,
// a nonce is recorded for SeenNonce too, and stays recorded when the
// batch is refused.
func testAppendNonced(t *testing.T, b server.Backend) {
	na := nonced(t, b)
	register(t, b, "org-1")
	nonce := func(s string) server.Nonce {
		return server.Nonce{Device: "dev-a", Nonce: []byte("nonce " + s), At: epoch0}
	}
	if seq, dup, err := na.AppendNonced(ctx, "org-1", nonce("one"), batch("dev-a", 1, 1, 1)); err != nil || dup || seq != 1 {
		t.Fatalf("AppendNonced: seq %d, duplicate %v, %v", seq, dup, err)
	}
	_, _, err := na.AppendNonced(ctx, "org-1", nonce("one"), batch("dev-a", 2, 2, 1))
	wantErr(t, "a replayed nonce", err, server.ErrReplayed)
	if got := rangeAll(t, b, "org-1"); len(got) != 1 {
		t.Fatalf("a replayed push filed its batch: %d stored", len(got))
	}
	if seen, err := b.SeenNonce(ctx, "org-1", "dev-a", []byte("nonce one"), epoch0); err != nil || !seen {
		t.Fatalf("SeenNonce of a push's nonce: %v, %v; want seen", seen, err)
	}
	_, _, err = na.AppendNonced(ctx, "org-1", nonce("gap"), batch("dev-a", 5, 5, 1))
	wantErr(t, "a gap", err, server.ErrSeqGap)
	_, _, err = na.AppendNonced(ctx, "org-1", nonce("gap"), batch("dev-a", 2, 2, 1))
	wantErr(t, "the nonce of a refused push again", err, server.ErrReplayed)
	if seq, dup, err := na.AppendNonced(ctx, "org-1", nonce("two"), batch("dev-a", 2, 2, 1)); err != nil || dup || seq != 2 {
		t.Fatalf("AppendNonced after the refusals: seq %d, duplicate %v, %v", seq, dup, err)
	}
	if seq, dup, err := na.AppendNonced(ctx, "org-1", nonce("retry"), batch("dev-a", 2, 2, 1)); err != nil || !dup || seq != 2 {
		t.Fatalf("a retried push under a new nonce: seq %d, duplicate %v, %v; want 2, true", seq, dup, err)
	}
	other := server.Nonce{Device: "dev-a", Nonce: []byte("nonce one"), At: epoch0}
	_, _, err = na.AppendNonced(ctx, "org-2", other, batch("dev-a", 1, 1, 1))
	wantErr(t, "an unknown organisation", err, server.ErrUnknownOrg)
}

// One push replayed through both servers at once, and a device's pushes
// each under its own nonce at once, are each filed once.
func testNoncedAtOnce(t *testing.T, h []server.Backend) {
	register(t, h[0], "org-1")
	na := []server.NoncedAppender{nonced(t, h[0]), nonced(t, h[1])}
	const callers = 12
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		filed    int
		replayed int
		errs     collect
	)
	n := server.Nonce{Device: "dev-a", Nonce: []byte("the one nonce"), At: epoch0}
	for i := range callers {
		wg.Go(func() {
			_, _, err := na[i%2].AppendNonced(ctx, "org-1", n, batch("dev-a", 1, 1, 1))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				filed++
			case errors.Is(err, server.ErrReplayed):
				replayed++
			default:
				errs.add(err)
			}
		})
	}
	wg.Wait()
	errs.check(t)
	if filed != 1 || replayed != callers-1 {
		t.Fatalf("one push replayed %d times at once: %d filed, %d replays; want 1 and %d", callers, filed, replayed, callers-1)
	}
	for i := range callers {
		wg.Go(func() {
			n := server.Nonce{Device: "dev-a", Nonce: fmt.Appendf(nil, "retry %d", i), At: epoch0}
			seq, dup, err := na[i%2].AppendNonced(ctx, "org-1", n, batch("dev-a", 2, 2, 1))
			if err != nil {
				errs.add(fmt.Errorf("caller %d: %v", i, err))
				return
			}
			if seq != 2 {
				errs.add(fmt.Errorf("caller %d: seq %d, duplicate %v; want 2", i, seq, dup))
			}
		})
	}
	wg.Wait()
	errs.check(t)
	if got := rangeAll(t, h[0], "org-1"); len(got) != 2 {
		t.Fatalf("%d batches stored, want 2", len(got))
	}
}

// HasAfter says whether the log holds a batch after a server sequence,
// as Range would, and refuses an unknown organisation.
func testHasAfter(t *testing.T, b server.Backend) {
	f, ok := b.(server.Follower)
	if !ok {
		t.Skip("the backend does not say whether a batch follows")
	}
	register(t, b, "org-1")
	has := func(seq uint64) bool {
		t.Helper()
		later, err := f.HasAfter(ctx, "org-1", seq)
		if err != nil {
			t.Fatalf("HasAfter(%d): %v", seq, err)
		}
		return later
	}
	if has(0) {
		t.Fatal("an empty log has a batch after 0")
	}
	appendOK(t, b, "org-1", batch("dev-a", 1, 1, 1))
	appendOK(t, b, "org-1", batch("dev-a", 2, 2, 1))
	if !has(0) || !has(1) || has(2) || has(1<<63) || has(^uint64(0)) {
		t.Fatalf("after two batches: HasAfter 0 %v, 1 %v, 2 %v; want true, true, false", has(0), has(1), has(2))
	}
	_, err := f.HasAfter(ctx, "org-2", 0)
	wantErr(t, "an unknown organisation", err, server.ErrUnknownOrg)
}
