package client

import (
	"context"
	"testing"
	"time"
)

// TestBacklogHoldsTheReceiverAtItsLimit checks that the receiver may open
// changes up to the backlog's limit, waits once it holds that many, goes
// on when a merge takes them, and gives up when its stream ends.
func TestBacklogHoldsTheReceiverAtItsLimit(t *testing.T) {
	b := newBacklog(10)
	ctx := context.Background()
	if !b.wait(ctx) {
		t.Fatal("an empty backlog makes the receiver wait")
	}
	b.add(6)
	if !b.wait(ctx) {
		t.Fatal("a backlog below its limit makes the receiver wait")
	}
	b.add(6)
	woke := make(chan bool)
	go func() { woke <- b.wait(ctx) }()
	select {
	case <-woke:
		t.Fatal("a full backlog let the receiver open more")
	case <-time.After(20 * time.Millisecond):
	}
	b.done(6)
	if !<-woke {
		t.Fatal("the receiver did not go on once a merge took changes")
	}
	b.add(6)
	cctx, cancel := context.WithCancel(ctx)
	go func() { woke <- b.wait(cctx) }()
	cancel()
	if <-woke {
		t.Fatal("a full backlog let the receiver go on after its stream ended")
	}
}

// TestPrepareStagePassesItemsInOrder checks that the stage between the
// receiver and the merge, which prepares batches on every core, passes
// every item on in order and closes its output after its input.
func TestPrepareStagePassesItemsInOrder(t *testing.T) {
	const n = 200
	in := make(chan opened)
	out := make(chan opened)
	go func() {
		for i := range n {
			in <- opened{skip: i%3 == 0, later: i%3 == 1, held: i}
		}
		close(in)
	}()
	go prepare(nil, in, out)
	got := 0
	for o := range out {
		if o.held != got {
			t.Fatalf("item %d passed on as item %d", o.held, got)
		}
		got++
	}
	if got != n {
		t.Fatalf("passed on %d items of %d", got, n)
	}
}
