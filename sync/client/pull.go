package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/store"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// PullReport says what a pull did.
type PullReport struct {
	// Batches counts the batches pulled, this device's own included.
	Batches int
	// Changes counts the other devices' changes pulled and merged.
	Changes int
	// Applied counts those that altered a record (the rest were merged
	// already or lost to newer writes).
	Applied int
	// Directory counts directory entries the pull added or replaced.
	Directory int
	// Quarantined counts the batches and changes the pull refused and
	// kept aside.
	Quarantined int
}

// Pull fetches every batch after the store's cursor and merges them,
// several batches to a transaction (up to Options.ApplyChanges changes),
// each transaction saving the cursor of its last batch, so a cut resumes
// exactly after the last batch merged. Every batch is kept as it came; one
// kept already is skipped. A batch that does not verify or open, or comes
// from a device the org root key did not endorse, is quarantined whole,
// and a change the store refuses alone: nothing of them is applied, and
// the pull goes on. Transient failures are retried with backoff.
func (c *Client) Pull(ctx context.Context) (PullReport, error) {
	c.syncing.Lock()
	defer c.syncing.Unlock()
	return c.pull(ctx)
}

func (c *Client) pull(ctx context.Context) (PullReport, error) {
	var rep PullReport
	err := c.retry(ctx, func(progress func()) error {
		for {
			n, marked, err := c.pullPage(ctx, &rep, progress)
			if err != nil {
				return err
			}
			if n < c.opts.PullLimit {
				if marked {
					return nil
				}
				return c.s.MarkPulled()
			}
		}
	})
	return rep, err
}

// group is pulled batches, verified and opened, waiting to be merged in
// one transaction.
type group struct {
	batches []store.PulledBatch
	changes int
	// items counts the batches pulled, skipped ones included; last is
	// the server sequence of the last, the cursor the transaction saves.
	items int
	last  uint64
}

// pullPage runs one Pull call from the cursor and merges what it streams.
// It returns how many batches came, and whether its last transaction
// also marked the pull done (store.Session.ApplyLastBatches: a page of
// fewer than PullLimit batches ends the pull). One goroutine receives and
// opens batches, a second prepares their changes, while this one merges
// those before, so verifying, decrypting and preparing overlap with the
// store's merges and commits.
func (c *Client) pullPage(ctx context.Context, rep *PullReport, progress func()) (n int, marked bool, err error) {
	st, err := c.s.SyncState()
	if err != nil {
		return 0, false, err
	}
	req := &wire.PullRequest{After: st.Cursor, Limit: uint32(c.opts.PullLimit), OmitOwn: true}
	c.sign(req, wire.Sync_Pull_FullMethodName)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.rpc.Pull(sctx, req)
	if err != nil {
		return 0, false, c.noted(ctx, err)
	}
	w := newWatchdog(c.opts.CallTimeout, cancel)
	defer w.stop()
	have, err := c.s.Have()
	if err != nil {
		return 0, false, err
	}
	received := make(chan opened, receiveAhead)
	items := make(chan opened, receiveAhead)
	room := newBacklog(2 * c.opts.ApplyChanges)
	go c.receive(sctx, stream, st.Cursor, have, w, room, received)
	go prepare(c.s, received, items)
	defer func() {
		cancel()
		for range items {
		}
	}()
	var g group
	// What was verified and opened is merged however the page ends.
	defer func() {
		if ferr := c.flush(&g, rep, progress); err == nil {
			err = ferr
		}
	}()
	// The receiver opens up to one transaction's worth of changes beyond
	// the one merging; what a flush merged makes room again.
	merged := 0
	flush := func() error {
		err := c.flush(&g, rep, progress)
		room.done(merged)
		merged = 0
		return err
	}
	for o := range items {
		switch {
		case errors.Is(o.err, io.EOF):
			if n < c.opts.PullLimit && g.items > 0 {
				// The pull ends with this page: its last transaction
				// marks it done.
				if err := c.flushLast(&g, rep, progress); err != nil {
					return n, false, err
				}
				marked = true
			}
			return n, marked, c.noted(ctx, nil)
		case o.err != nil && o.item == nil:
			return n, false, c.noted(ctx, o.err)
		case o.err != nil:
			return n, false, o.err
		}
		if o.later {
			if o.batch, o.p, err = c.open(ctx, o.item, have); err != nil {
				if o.batch.Refused = refusal(err); o.batch.Refused == "" {
					return n, false, err
				}
			}
		}
		if o.batch.Refused != "" {
			c.noteDamaged(o.item.ServerSeq, o.item.Envelope)
		}
		merged += o.held
		if !o.skip && len(o.p.Directory) > 0 && o.batch.Refused == "" {
			// The directory may change who may write what: the batches
			// before it merge under the directory they were made under.
			if err := flush(); err != nil {
				return n, false, err
			}
			added, err := c.importDirectory(o.p)
			if err != nil {
				return n, false, fmt.Errorf("%w: batch %d: %s", ErrBadBatch, o.item.ServerSeq, reason(err))
			}
			rep.Directory += added
		}
		n++
		g.items++
		g.last = o.item.ServerSeq
		if o.skip {
			continue
		}
		o.batch.Changes, o.batch.Digests = o.p.Changes, o.p.Digests
		g.batches = append(g.batches, o.batch)
		g.changes += len(o.p.Changes)
		if g.changes >= c.opts.ApplyChanges {
			if err := flush(); err != nil {
				return n, false, err
			}
			w.alive()
		}
	}
	// The receiver gave up without a word: the watchdog or the caller
	// ended the stream.
	return n, false, c.noted(ctx, status.Error(codes.DeadlineExceeded, "the pull stream fell silent"))
}

// opened is a pulled batch verified and opened, or why it is not: err
// with item nil is the stream's own error (io.EOF at its end).
type opened struct {
	item  *wire.PullItem
	batch store.PulledBatch
	p     envelope.Payload
	err   error
	// skip is set for a batch of this device or one the store keeps
	// already.
	skip bool
	// later is set when the batch is sealed under a key epoch this
	// workstation does not hold yet: a directory batch ahead of it in the
	// same pull may bring it, so it is opened again when its turn comes.
	later bool
	// held is how many opened changes the item holds in the backlog.
	held int
}

// receiveAhead is how many items, at most, the receiver has opened and
// the merge not yet taken; the backlog bounds their changes.
const receiveAhead = 256

// backlog counts the changes the receiver opened that no transaction has
// merged yet, so that it opens the next transaction's batches while the
// current one merges and commits, and no further (its limit is two
// transactions' worth): a catch-up of many thousands of changes does not
// sit opened in memory.
type backlog struct {
	limit int
	mu    sync.Mutex
	held  int
	room  chan struct{}
}

func newBacklog(limit int) *backlog {
	return &backlog{limit: limit, room: make(chan struct{}, 1)}
}

// wait blocks while the backlog holds limit changes or more; it reports
// false when ctx ends first.
func (b *backlog) wait(ctx context.Context) bool {
	for {
		b.mu.Lock()
		full := b.held >= b.limit
		b.mu.Unlock()
		if !full {
			return true
		}
		select {
		case <-b.room:
		case <-ctx.Done():
			return false
		}
	}
}

// add counts n changes opened.
func (b *backlog) add(n int) {
	b.mu.Lock()
	b.held += n
	b.mu.Unlock()
}

// done counts n changes merged (or dropped) and wakes the receiver.
func (b *backlog) done(n int) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.held -= n
	b.mu.Unlock()
	select {
	case b.room <- struct{}{}:
	default:
	}
}

// receive reads the stream, checks the order of its items and opens
// them, sending each to out; it stops after the first error and closes
// out.
func (c *Client) receive(ctx context.Context, stream wire.Sync_PullClient, after uint64, have map[string]uint64, w *watchdog, room *backlog, out chan<- opened) {
	defer close(out)
	for {
		if !room.wait(ctx) {
			return
		}
		item, err := stream.Recv()
		if err != nil {
			out <- opened{err: err}
			return
		}
		w.alive()
		o := opened{item: item}
		if item.ServerSeq <= after {
			o.err = fmt.Errorf("%w: the server sent batch %d after batch %d", ErrBadBatch, item.ServerSeq, after)
		} else {
			o.batch, o.p, o.err = c.open(ctx, item, have)
			o.skip = o.err == nil && o.batch.Device == ""
			switch {
			case errors.Is(o.err, envelope.ErrUnknownEpoch):
				o.err, o.later = nil, true
			case refusal(o.err) != "":
				o.batch.Refused, o.err = refusal(o.err), nil
			}
		}
		o.held = len(o.p.Changes)
		room.add(o.held)
		select {
		case out <- o:
		case <-ctx.Done():
			return
		}
		if o.err != nil {
			return
		}
		after = item.ServerSeq
	}
}

// prepare does, for each batch received and opened, the part of merging
// its changes that depends on them alone and the check of their authors'
// signatures (store.Session.PrepareBatch), and passes it on in order: the
// merge of the batches before runs meanwhile.
// Up to one batch a core is prepared at once. It closes out once in is
// closed.
func prepare(s *store.Session, in <-chan opened, out chan<- opened) {
	defer close(out)
	workers := runtime.GOMAXPROCS(0)
	type pending struct {
		o    opened
		done chan struct{}
	}
	queue := make(chan *pending, workers)
	go func() {
		defer close(queue)
		busy := make(chan struct{}, workers)
		for o := range in {
			p := &pending{o: o, done: make(chan struct{})}
			busy <- struct{}{}
			go func() {
				defer func() { <-busy; close(p.done) }()
				if p.o.err == nil && !p.o.skip && !p.o.later && p.o.batch.Refused == "" {
					p.o.batch.Changes, p.o.batch.Digests = p.o.p.Changes, p.o.p.Digests
					s.PrepareBatch(&p.o.batch)
				}
			}()
			queue <- p
		}
	}()
	for p := range queue {
		<-p.done
		out <- p.o
	}
}

// watchdog cancels a stream that falls silent for longer than its limit,
// as a stalled link would leave it waiting for ever.
type watchdog struct {
	last atomic.Int64 // Unix nanoseconds of the last sign of life
	done chan struct{}
}

func newWatchdog(limit time.Duration, cancel context.CancelFunc) *watchdog {
	w := &watchdog{done: make(chan struct{})}
	w.alive()
	tick := time.NewTicker(max(limit/8, time.Millisecond))
	go func() {
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case now := <-tick.C:
				if now.Sub(time.Unix(0, w.last.Load())) > limit {
					cancel()
					return
				}
			}
		}
	}()
	return w
}

// alive notes a sign of life: an item received, a merge done.
func (w *watchdog) alive() { w.last.Store(time.Now().UnixNano()) }

func (w *watchdog) stop() { close(w.done) }

// flush merges a group in one transaction with its cursor and empties it.
func (c *Client) flush(g *group, rep *PullReport, progress func()) error {
	return c.flushGroup(g, rep, progress, c.s.ApplyBatches)
}

// flushLast is flush for the pull's last transaction, which also marks
// the pull done (store.Session.ApplyLastBatches).
func (c *Client) flushLast(g *group, rep *PullReport, progress func()) error {
	return c.flushGroup(g, rep, progress, c.s.ApplyLastBatches)
}

// flushGroup merges the group with apply, if it holds any batch.
func (c *Client) flushGroup(g *group, rep *PullReport, progress func(), apply func([]store.PulledBatch, uint64) (store.ApplyResult, error)) error {
	if g.items == 0 {
		return nil
	}
	res, err := apply(g.batches, g.last)
	if err != nil {
		return fmt.Errorf("client: merging pulled batches up to %d: %w", g.last, err)
	}
	rep.Batches += g.items
	rep.Changes += g.changes
	rep.Applied += res.Applied
	rep.Quarantined += res.Quarantined
	*g = group{batches: g.batches[:0]}
	progress()
	return nil
}

// refusal is why a pulled batch is quarantined when err says it cannot
// be verified or opened, "" for other errors (the link, the store).
func refusal(err error) string {
	if errors.Is(err, ErrBadBatch) || errors.Is(err, ErrUnknownDevice) {
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "client: "), "batch ")
	}
	return ""
}

// open verifies and opens one pulled batch. This device's own batch,
// which the server sends without its envelope (omit_own), and one the
// store keeps already come back without a device: there is nothing to
// merge.
func (c *Client) open(ctx context.Context, item *wire.PullItem, have map[string]uint64) (store.PulledBatch, envelope.Payload, error) {
	var none envelope.Payload
	pb := store.PulledBatch{}
	if len(item.Envelope) == 0 {
		return pb, none, nil
	}
	b, err := envelope.Unmarshal(item.Envelope)
	if err != nil {
		pb.Envelope = item.Envelope
		return pb, none, fmt.Errorf("%w: batch %d: %s", ErrBadBatch, item.ServerSeq, reason(err))
	}
	if b.Device == c.device() || b.Last <= have[b.Device] {
		return pb, none, nil
	}
	pb.Batch = store.Batch{Device: b.Device, First: b.First, Last: b.Last, Envelope: item.Envelope}
	if b.Org != c.org {
		return pb, none, fmt.Errorf("%w: batch %d belongs to another organisation", ErrBadBatch, item.ServerSeq)
	}
	pub, err := c.deviceKey(ctx, b.Device)
	if err != nil {
		return pb, none, fmt.Errorf("batch %d: %w", item.ServerSeq, err)
	}
	p, err := envelope.OpenPayload(b, c.orgKey, pub)
	if err != nil {
		if errors.Is(err, envelope.ErrUnknownEpoch) {
			return pb, none, fmt.Errorf("%w: batch %d from device %s: %w", ErrBadBatch, item.ServerSeq, b.Device, err)
		}
		return pb, none, fmt.Errorf("%w: batch %d from device %s: %s", ErrBadBatch, item.ServerSeq, b.Device, reason(err))
	}
	return pb, p, nil
}

// importDirectory imports the directory entries of a batch. When this
// device had nothing of its own unacknowledged in its directory before,
// the merged directory is what the server holds, and is marked so: the
// import is not pushed back.
func (c *Client) importDirectory(p envelope.Payload) (int, error) {
	before, err := c.directory()
	if err != nil {
		return 0, err
	}
	marks, err := c.s.SyncMarks()
	if err != nil {
		return 0, err
	}
	entries := make([][]byte, len(p.Directory))
	for i, e := range p.Directory {
		entries[i] = e
	}
	n, err := c.s.DB().ImportDirectory(entries)
	if err != nil || n == 0 {
		return n, err
	}
	// A rotation elsewhere grants this user a newer epoch's key: adopt it
	// now, so batches sealed under it open in this same pull.
	if err := c.s.Refresh(); err != nil {
		return n, err
	}
	if !bytes.Equal(before.digest, marks.Directory) {
		return n, nil
	}
	after, err := c.directory()
	if err != nil {
		return n, err
	}
	return n, c.s.MarkDirectoryPushed(after.digest)
}
