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
// receiver and the merge passes every item on, in order, batches with
// their changes, and closes its output after its input.
func TestPrepareStagePassesItemsInOrder(t *testing.T) {
	in := make(chan opened, 3)
	out := make(chan opened, 3)
	in <- opened{skip: true, held: 1}
	in <- opened{later: true, held: 2}
	in <- opened{held: 3}
	close(in)
	go prepare(in, out)
	var got []int
	for o := range out {
		got = append(got, o.held)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("passed on %v, want [1 2 3]", got)
	}
}
