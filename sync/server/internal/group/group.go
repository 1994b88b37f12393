// Package group commits concurrent writes together: the calls that arrive
// while a commit is under way wait, and the next commit takes them all in
// one transaction, so that a server under load pays one durable commit
// for many calls instead of one each, and an idle server none of the
// waiting a fixed delay would cost.
//
// There is no goroutine of its own: the first caller to find no commit
// under way leads, commits its group, and hands the lead to the first
// caller still waiting, so that no caller commits for others after its
// own write is done.
package group

import "sync"

// Committer runs the writes given to Do in groups. Its zero value is not
// usable; make one with New.
type Committer[T any] struct {
	run       func(ops []T) []error
	maxOps    int
	maxWeight int

	mu    sync.Mutex
	queue []*call[T]
	busy  bool
}

// call is one Do waiting for its write.
type call[T any] struct {
	op     T
	weight int
	done   chan signal
}

// signal tells a waiting call its result, or that it leads the next
// group.
type signal struct {
	err  error
	lead bool
}

// New returns a Committer whose groups run has to commit: run gets the
// ops of one group, in the order they arrived, and returns one error per
// op (nil for a write that is durable), after whatever transactions it
// needs. run must not panic. A group holds at most maxOps ops and, past
// its first op, at most maxWeight of their weights.
func New[T any](maxOps, maxWeight int, run func(ops []T) []error) *Committer[T] {
	return &Committer[T]{run: run, maxOps: max(1, maxOps), maxWeight: maxWeight}
}

// Do commits op, of the given weight (its bytes, say), in a group with
// whatever else is waiting, and returns its error once its group is
// committed, or the commit failed.
func (c *Committer[T]) Do(op T, weight int) error {
	me := &call[T]{op: op, weight: weight, done: make(chan signal, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, me)
	if c.busy {
		c.mu.Unlock()
		s := <-me.done
		if !s.lead {
			return s.err
		}
	} else {
		c.busy = true
		c.mu.Unlock()
	}
	// This call leads: it is first in the queue.
	group := c.take()
	ops := make([]T, len(group))
	for i, g := range group {
		ops[i] = g.op
	}
	errs := c.run(ops)
	var mine error
	for i, g := range group {
		if g == me {
			mine = errs[i]
			continue
		}
		g.done <- signal{err: errs[i]}
	}
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.busy = false
	} else {
		c.queue[0].done <- signal{lead: true}
	}
	c.mu.Unlock()
	return mine
}

// take removes the next group from the queue.
func (c *Committer[T]) take() []*call[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, weight := 0, 0
	for n < len(c.queue) && n < c.maxOps {
		if n > 0 && weight+c.queue[n].weight > c.maxWeight {
			break
		}
		weight += c.queue[n].weight
		n++
	}
	group := make([]*call[T], n)
	copy(group, c.queue)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return group
}
