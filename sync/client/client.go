package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"google.golang.org/grpc"

	"medisecure/store"
	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// Defaults of Options.
const (
	// DefaultBatchChanges and DefaultBatchBytes size pushed batches for
	// slow links: at most this many changes, and at most this many bytes
	// sealed (unless one change alone is larger).
	DefaultBatchChanges = 500
	DefaultBatchBytes   = 256 << 10
	// DefaultPullLimit is how many batches one Pull call asks for.
	DefaultPullLimit = 200
	// DefaultApplyChanges is how many pulled changes, at most, merge in
	// one transaction (a batch is never split). A catch-up's new records
	// land all over their buckets, and each transaction rewrites every
	// page it touched, so fewer, larger transactions write far fewer
	// pages (120,000 changes: 121,700 pages in transactions of 5,000,
	// 69,400 in ones of 20,000). The pull merges batches as they come
	// (pullPage), so a larger transaction holds no more opened changes.
	DefaultApplyChanges = 20000
	// DefaultCallTimeout bounds a call, and the silence of a pull stream
	// between two batches.
	DefaultCallTimeout = 30 * time.Second
)

// Options tune a Client. The zero value is right for a workstation, but
// for Addr, which names the server in messages and in the store.
type Options struct {
	// Addr is the server's address as the user gave it.
	Addr string
	// Token is the operator's registration token; only the first sync of
	// an organisation's first workstation needs it.
	Token string
	// Now is the clock that stamps requests and checks device records.
	Now func() time.Time
	// Sleep waits between retries; it returns early with the context's
	// error. Tests inject one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) that spreads retry delays; nil is
	// math/rand.
	Jitter func() float64
	// Backoff shapes retries.
	Backoff Backoff
	// CallTimeout bounds each call; 0 means DefaultCallTimeout.
	CallTimeout time.Duration
	// BatchChanges and BatchBytes limit a pushed batch; 0 means the
	// defaults.
	BatchChanges int
	BatchBytes   int
	// PullLimit is how many batches one pull call asks for, 1 to 5000; 0
	// means DefaultPullLimit.
	PullLimit int
	// ApplyChanges is how many pulled changes merge in one transaction at
	// most; 0 means DefaultApplyChanges, 1 one batch a transaction.
	ApplyChanges int
	// OnSync, when set, hears the outcome of every round Watch runs.
	OnSync func(Report, error)
	// MaxClockAhead is the skew bound: a pulled change stamped further
	// ahead of this workstation's clock is quarantined until it no
	// longer is, and a workstation clock further off the server's is
	// reported. 0 means core.DefaultMaxAhead (10 minutes).
	MaxClockAhead time.Duration
}

// Backoff shapes retries: a step that fails for a transient reason (the
// link, a passing server problem) is tried again after Initial, then
// twice as long each time up to Max, each delay jittered down by up to a
// half so that many workstations do not retry in step. Progress (a batch
// pushed or pulled) starts the count again.
type Backoff struct {
	// Initial is the first delay; 0 means 500 ms.
	Initial time.Duration
	// Max caps a delay; 0 means 30 s.
	Max time.Duration
	// Attempts is how often a step is tried without progress before
	// SyncOnce gives up; 0 means 4.
	Attempts int
}

// Client syncs one store session with the server. Its methods are safe
// for concurrent use; syncs run one at a time.
type Client struct {
	rpc  wire.SyncClient
	s    *store.Session
	opts Options
	org  string
	root ed25519.PublicKey

	syncing sync.Mutex // one push or pull at a time
	round   pushRound  // of the last push; guarded by syncing
	// The fields below are guarded by syncing too. sealedDir holds the
	// digest of the directory a kept batch carries, by its first
	// sequence, until the server acknowledges it; restored counts the
	// sequences this sync handed back to the server; refilled is the
	// log head and missing count the server reported right after every
	// kept batch was last handed back for holes in its log.
	sealedDir map[uint64][]byte
	restored  int
	refilled  [2]uint64
	// rewoundAt is the log head and missing count at which a pull last
	// read the whole log for sequences the store lacked.
	rewoundAt [2]uint64
	// damaged holds, by server sequence, the batches that came damaged
	// since the last read of the whole log, to pull again
	// (recoverdamaged.go).
	damaged map[uint64]*damage
	// fold is the state of a round that asks for the server's view with
	// its first push (foldview.go), nil otherwise; foldable is set after
	// a round that ended well, and noFold once the server showed it does
	// not answer with a view.
	fold     *folding
	foldable bool
	noFold   bool
	// catchUp is the running pull's hold on a raised garbage collector
	// target (gcboost.go).
	catchUp gcBoost

	mu      sync.Mutex // guards the fields below
	status  Status
	devices map[string]ed25519.PublicKey
	orgKeys map[uint32][]byte
}

// New returns a client for the session over conn (from Dial, or any gRPC
// connection to a sync server).
func New(conn grpc.ClientConnInterface, s *store.Session, opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Backoff.Initial <= 0 {
		opts.Backoff.Initial = 500 * time.Millisecond
	}
	if opts.Backoff.Max <= 0 {
		opts.Backoff.Max = 30 * time.Second
	}
	if opts.Backoff.Attempts <= 0 {
		opts.Backoff.Attempts = 4
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.BatchChanges <= 0 {
		opts.BatchChanges = DefaultBatchChanges
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	if opts.ApplyChanges <= 0 {
		opts.ApplyChanges = DefaultApplyChanges
	}
	if opts.PullLimit <= 0 || opts.PullLimit > 5000 {
		opts.PullLimit = DefaultPullLimit
	}
	if opts.MaxClockAhead > 0 {
		s.DB().SetMaxClockAhead(opts.MaxClockAhead)
	}
	return &Client{
		rpc: wire.NewSyncClient(conn), s: s, opts: opts,
		org: s.DB().Org().ID, root: s.RootPublicKey(),
		devices: map[string]ed25519.PublicKey{}, orgKeys: map[uint32][]byte{},
		sealedDir: map[uint64][]byte{},
	}
}

// Status reports the link as of the last call.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// device is this workstation's device ID; it is read each time, as a
// copied store may take a new identity.
func (c *Client) device() string { return c.s.DB().DeviceID() }

// sign stamps and signs req for a call of method by this device.
func (c *Client) sign(req wire.Request, method string) {
	auth.Sign(req, method, c.org, c.device(), c.s.DeviceKey(), c.opts.Now())
}

// unary runs one unary call with the call timeout and returns its error
// translated, noting whether it reached the server.
func (c *Client) unary(ctx context.Context, call func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	return c.noted(ctx, call(cctx))
}

// noted translates a call's error and records whether it reached the
// server.
func (c *Client) noted(ctx context.Context, err error) error {
	err = translate(ctx, err, c.opts.Addr, c.opts.CallTimeout)
	if ctx.Err() != nil {
		return err
	}
	reached := err == nil || !errors.Is(err, ErrUnreachable)
	c.mu.Lock()
	c.status.Online = reached
	if reached {
		c.status.LastContact = c.opts.Now()
	}
	c.mu.Unlock()
	return err
}

// retry runs step until it succeeds, fails for good, or fails
// Backoff.Attempts times in a row without calling its progress function.
func (c *Client) retry(ctx context.Context, step func(progress func()) error) error {
	failures := 0
	for {
		err := step(func() { failures = 0 })
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		failures++
		if failures >= c.opts.Backoff.Attempts {
			return err
		}
		if serr := c.opts.Sleep(ctx, c.delay(failures, c.opts.Backoff.Max)); serr != nil {
			return serr
		}
	}
}

// delay is the wait before the n-th retry (n from 1): doubling from
// Initial up to limit, less a random part of up to a half.
func (c *Client) delay(n int, limit time.Duration) time.Duration {
	d := c.opts.Backoff.Initial
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + time.Duration(c.opts.Jitter()*float64(d/2))
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// orgKey returns the org key of an epoch, for envelope.Open.
func (c *Client) orgKey(epoch uint32) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.orgKeys[epoch]; ok {
		return k, true
	}
	k, err := c.s.OrgKey(int(epoch))
	if err != nil {
		return nil, false
	}
	c.orgKeys[epoch] = k
	return k, true
}
