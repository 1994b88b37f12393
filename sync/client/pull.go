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
	defer c.catchUp.end()
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

// pullPage runs one Pull call from the cursor and merges what it streams.
// It returns how many batches came, and whether its last transaction
// also marked the pull done (store.Session.ApplyLastBatches: a page of
// fewer than PullLimit batches ends the pull). One goroutine receives and
// opens batches, a second prepares their changes, while this one merges
// them: a transaction (store.Session.MergePulled) merges each batch as
// soon as it is prepared, until it holds Options.ApplyChanges changes,
// the page ends, or a batch has to wait for it to end (one that brings
// directory entries, which are imported between transactions, or one to
// be opened again). So verifying, decrypting and preparing overlap with
// the store's merges and commits, and the merge never waits for a whole
// transaction's worth to be prepared before it starts.
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
	room := newBacklog(min(2*c.opts.ApplyChanges, pullAhead))
	go c.receive(sctx, stream, st.Cursor, have, w, room, received)
	go prepare(c.s, received, items)
	defer func() {
		cancel()
		for range items {
		}
	}()
	p := &page{c: c, ctx: ctx, items: items, have: have, rep: rep}
	for {
		o, ok := p.take()
		if !ok {
			// The receiver gave up without a word: the watchdog or the
			// caller ended the stream.
			return p.n, false, c.noted(ctx, status.Error(codes.DeadlineExceeded, "the pull stream fell silent"))
		}
		if end, err := p.ends(o); end {
			// Nothing is merged but not committed: the page ends between
			// transactions, and the pull's end is marked apart.
			return p.n, false, err
		}
		if err := p.ready(&o); err != nil {
			return p.n, false, err
		}
		// A transaction begins with o.
		var stop error
		var items, changes int
		var last uint64
		mergeTxns.Add(1)
		began := time.Now()
		res, err := c.s.MergePulled(func(m *store.PullMerge) (uint64, bool, error) {
			for {
				if err := p.merge(m, &o); err != nil {
					return 0, false, err
				}
				room.done(o.held)
				items++
				last = o.item.ServerSeq
				changes += len(o.p.Changes)
				if rep.Changes+changes >= catchUpChanges {
					c.catchUp.begin()
				}
				if changes >= c.opts.ApplyChanges || time.Since(began) >= mergeMaxOpen {
					return last, false, nil
				}
				var ok bool
				if o, ok = p.takeSoon(); !ok {
					if p.late {
						// Nothing came in time: the store is not held for
						// the link; the next transaction begins with what
						// comes next.
						p.late = false
						return last, false, nil
					}
					stop = c.noted(ctx, status.Error(codes.DeadlineExceeded, "the pull stream fell silent"))
					return last, false, nil
				}
				if end, err := p.ends(o); end {
					// What was verified and opened is merged however the
					// page ends; a page of fewer than PullLimit batches
					// ends the pull, and this transaction marks it done.
					stop = err
					marked = p.n < c.opts.PullLimit
					return last, marked, nil
				}
				if p.waits(&o) {
					p.held = &o
					return last, false, nil
				}
			}
		})
		if err != nil {
			return p.n, false, fmt.Errorf("client: merging pulled batches up to %d: %w", last, err)
		}
		rep.Batches += items
		rep.Changes += changes
		rep.Applied += res.Applied
		rep.Quarantined += res.Quarantined
		progress()
		w.alive()
		if stop != nil || marked {
			return p.n, marked, stop
		}
	}
}

// page is the merge side of one Pull call: the items the prepare stage
// passes on, and how many of them it has taken.
type page struct {
	c     *Client
	ctx   context.Context
	items <-chan opened
	have  map[string]uint64
	rep   *PullReport
	// held is an item a transaction ended before, to begin the next; n
	// counts the batches taken, skipped ones included.
	held *opened
	n    int
	// late is set when takeSoon found nothing within mergeLinger; timer
	// is its timer, made once.
	late  bool
	timer *time.Timer
}

// mergeLinger is how long an open transaction waits for the next batch
// before it ends: a write of this workstation (a booking at the desk)
// waits for the transaction, so it must never wait for the link.
const mergeLinger = 50 * time.Millisecond

// mergeMaxOpen is how long, at most, a transaction merges pulled batches
// before it commits, whatever Options.ApplyChanges allows: on a slow
// machine a desk write waits no longer than this for a catch-up (a
// variable for tests). mergeTxns counts the transactions, for tests.
var (
	mergeMaxOpen = time.Second
	mergeTxns    atomic.Int64
)

// takeSoon is take for an open transaction: the next item if it comes
// within mergeLinger; else ok is false with p.late set, nothing taken.
func (p *page) takeSoon() (o opened, ok bool) {
	if p.held != nil {
		return p.take()
	}
	select {
	case o, ok = <-p.items:
		return o, ok
	default:
	}
	if p.timer == nil {
		p.timer = time.NewTimer(mergeLinger)
	} else {
		p.timer.Reset(mergeLinger)
	}
	select {
	case o, ok = <-p.items:
		p.timer.Stop()
		return o, ok
	case <-p.timer.C:
		p.late = true
		return opened{}, false
	}
}

// take is the next item: the one held for the next transaction, or the
// next the prepare stage passes on; ok is false once it closed.
func (p *page) take() (o opened, ok bool) {
	if p.held != nil {
		o, p.held = *p.held, nil
		return o, true
	}
	o, ok = <-p.items
	return o, ok
}

// ends reports whether o ends the page, and with what: nil at the
// stream's end (io.EOF), else the stream's or the receiver's error.
func (p *page) ends(o opened) (bool, error) {
	switch {
	case errors.Is(o.err, io.EOF):
		return true, p.c.noted(p.ctx, nil)
	case o.err != nil && o.item == nil:
		return true, p.c.noted(p.ctx, o.err)
	case o.err != nil:
		return true, o.err
	}
	return false, nil
}

// waits reports whether o must wait for the transaction merging the
// batches before it to end: it is to be opened again (its key epoch may
// have come with a directory batch before it), or it brings directory
// entries, which may change who may write what, so the batches before
// it merge under the directory they were made under. ready then does,
// between transactions, what o needs first.
func (p *page) waits(o *opened) bool {
	if o.later {
		return true
	}
	if o.batch.Refused != "" {
		p.c.noteDamaged(o.item.ServerSeq, o.item.Envelope)
	}
	return p.directory(o)
}

// directory reports whether o brings directory entries to import.
func (p *page) directory(o *opened) bool {
	return !o.skip && len(o.p.Directory) > 0 && o.batch.Refused == ""
}

// ready does, outside any transaction, what the item that begins one
// needs first: opened again when it came too early for its key epoch,
// its directory entries imported.
func (p *page) ready(o *opened) error {
	if o.later {
		var err error
		if o.batch, o.p, err = p.c.open(p.ctx, o.item, p.have); err != nil {
			if o.batch.Refused = refusal(err); o.batch.Refused == "" {
				return err
			}
		}
		o.later = false // opened only now: its changes are prepared in the merge
	}
	if o.batch.Refused != "" {
		p.c.noteDamaged(o.item.ServerSeq, o.item.Envelope)
	}
	if p.directory(o) {
		added, err := p.c.importDirectory(o.p)
		if err != nil {
			return fmt.Errorf("%w: batch %d: %s", ErrBadBatch, o.item.ServerSeq, reason(err))
		}
		p.rep.Directory += added
	}
	return nil
}

// merge merges one item in the transaction m; a skipped one only counts.
func (p *page) merge(m *store.PullMerge, o *opened) error {
	p.n++
	if o.skip {
		return nil
	}
	o.batch.Changes, o.batch.Digests = o.p.Changes, o.p.Digests
	return m.Merge(&o.batch)
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

// pullAhead is how many changes, at most, the receiver opens ahead of the
// merge (the backlog's limit, or twice Options.ApplyChanges when less):
// enough to keep the prepare stage busy while a transaction commits.
const pullAhead = 10_000

// backlog counts the changes the receiver opened that no transaction has
// merged yet, so that it opens ahead while the merge and the commits run,
// and no further than its limit: a catch-up of many thousands of changes
// does not sit opened in memory.
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
