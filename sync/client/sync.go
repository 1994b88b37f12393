package client

import (
	"context"
	"errors"
	"time"
)

// Report says what one sync did.
type Report struct {
	// Pushed counts local changes the server acknowledged.
	Pushed int
	// Pulled counts other devices' changes merged here.
	Pulled int
	// Applied counts the pulled changes that altered a record.
	Applied int
	// Conflicts counts the open conflicts after the sync.
	Conflicts int
	// Restored counts the changes the server had lost (restored from an
	// older copy, or damaged) that this sync handed back to it.
	Restored int
	// Reenrolled is set when the server no longer knew this device (it
	// was restored from a copy older than the device) and took the
	// device's signed record again.
	Reenrolled bool
	// Quarantined counts the changes and batches the store keeps aside
	// after the sync, refused from sync (clinic sync quarantine).
	Quarantined int
	// Missing counts changes the server lists that this workstation
	// could not get intact, even reading the whole log again.
	Missing int
	// ClockOffset is this workstation's clock less the server's.
	ClockOffset time.Duration
}

// SyncOnce makes sure the server knows this workstation (registering the
// organisation with Options.Token, or enrolling a copied store's device
// for an admin), compares what the server holds with what this
// workstation keeps and hands back what the server lost, pushes the
// outbox, then pulls and merges everything new, retrying transient
// failures with backoff. When the server's answers to the push show that
// nothing but this device's own batches came since the last pull, it
// skips the pull; when the server lost batches, it pulls the whole log
// again. After a round that ended well, a round with changes to push
// learns what the server holds from its first push's answer instead of
// asking first (foldview.go). On success the store remembers the
// server's address.
func (c *Client) SyncOnce(ctx context.Context) (Report, error) {
	c.syncing.Lock()
	defer c.syncing.Unlock()
	rep, err := c.syncOnce(ctx)
	c.foldable = err == nil
	st, serr := c.s.SyncState()
	if serr == nil {
		rep.Quarantined = st.Quarantined
	}
	c.mu.Lock()
	c.status.Err = err
	if err == nil {
		c.status.LastSync = c.opts.Now()
	}
	c.status.describe(rep, st, c.maxAhead())
	c.mu.Unlock()
	if merr := c.s.MarkOutcome(Outcome(err, rep, c.maxAhead())); err == nil && ctx.Err() == nil {
		err = merr
	}
	return rep, err
}

func (c *Client) syncOnce(ctx context.Context) (Report, error) {
	var rep Report
	c.restored = 0
	if err := c.retry(ctx, func(func()) error { return c.ensureRegistered(ctx) }); err != nil {
		return rep, err
	}
	var v serverView
	var rec recovered
	folded, err := c.pushFolded(ctx, &rep, &v, &rec)
	if !folded && err == nil {
		err = c.viewAndPush(ctx, &rep, &v, &rec)
	}
	rep.Restored += c.restored
	if err != nil {
		return rep, err
	}
	if err := c.pullAll(ctx, v, rec.rewind, &rep); err != nil {
		return rep, err
	}
	released, err := c.s.ReleaseQuarantine()
	if err != nil {
		return rep, err
	}
	rep.Applied += released.Applied
	rep.Conflicts = released.Conflicts
	st, err := c.s.SyncState()
	if err == nil && st.Server != c.opts.Addr {
		err = c.s.SetServer(c.opts.Addr)
	}
	return rep, err
}

// viewAndPush asks the server for its view of the log, hands back what it
// lost (recover), then pushes the outbox.
func (c *Client) viewAndPush(ctx context.Context, rep *Report, vp *serverView, recp *recovered) error {
	var v serverView
	var rec recovered
	defer func() { *vp, *recp = v, rec }()
	err := c.retry(ctx, func(func()) error {
		var err error
		if v, err = c.view(ctx); err != nil {
			if !c.reenroll(ctx, err) {
				return err
			}
			rep.Reenrolled = true
			if v, err = c.view(ctx); err != nil {
				return err
			}
		}
		rec, err = c.recover(ctx, v)
		return err
	})
	rep.ClockOffset = v.offset
	rep.Restored = rec.restored
	if err != nil {
		return err
	}
	if rec.rewind {
		if err := c.s.RewindCursor(); err != nil {
			return err
		}
	}
	pushed, err := c.push(ctx)
	rep.Pushed += pushed
	if errors.Is(err, errEpochRetired) {
		// A device was revoked while these changes waited: the new key
		// comes with the directory, so pull first, then seal them again
		// under it.
		pulled, perr := c.pull(ctx)
		rep.Pulled, rep.Applied = pulled.Changes, pulled.Applied
		if perr != nil {
			return perr
		}
		pushed, err = c.push(ctx)
		rep.Pushed += pushed
	}
	return err
}

// pullAll pulls what is new, unless the push showed there is nothing, and
// then checks that the store holds every sequence the server listed; when
// it does not, it pulls again the batches that came damaged
// (recoverdamaged.go), and when that is not enough, the server's
// sequences were reassigned (restored from an older copy, then written
// again) and the whole log is read again, once per state of the log.
func (c *Client) pullAll(ctx context.Context, v serverView, rewound bool, rep *Report) error {
	done := false
	if rewound {
		// The whole log is read again: what comes damaged in it is
		// noted anew.
		c.damaged = nil
	} else {
		var err error
		if done, err = c.caughtUp(); err != nil {
			return err
		}
	}
	for {
		if !done {
			pulled, err := c.pull(ctx)
			rep.Pulled += pulled.Changes
			rep.Applied += pulled.Applied
			if err != nil {
				return err
			}
		}
		short, err := c.complete(v)
		if err == nil && short > 0 && c.refetchable() {
			// Batches that came damaged are pulled again first, alone.
			if err = c.refetch(ctx, rep); err == nil {
				short, err = c.complete(v)
			}
		}
		if err == nil && short == 0 {
			return c.s.ClearBadBatches()
		}
		at := [2]uint64{v.head, v.missing}
		if err != nil || rewound || c.rewoundAt == at {
			rep.Missing = short
			return err
		}
		// Once per state of the log: a batch the server holds damaged
		// would otherwise make every sync read the whole log.
		c.rewoundAt = at
		if err := c.s.RewindCursor(); err != nil {
			return err
		}
		c.damaged = nil
		rewound, done = true, false
	}
}

// Watch syncs every interval until ctx ends, then returns nil. After a
// failed round it waits as retries do, from Backoff.Initial doubling up to
// the larger of interval and Backoff.Max, instead of the interval. Each
// round's outcome goes to Options.OnSync.
func (c *Client) Watch(ctx context.Context, interval time.Duration) error {
	failures := 0
	for {
		rep, err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if c.opts.OnSync != nil {
			c.opts.OnSync(rep, err)
		}
		wait := interval
		if err != nil {
			failures++
			wait = c.delay(failures, max(interval, c.opts.Backoff.Max))
		} else {
			failures = 0
		}
		if c.opts.Sleep(ctx, wait) != nil {
			return nil
		}
	}
}
