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
}

// SyncOnce makes sure the server knows this workstation (registering the
// organisation with Options.Token, or enrolling a copied store's device
// for an admin), pushes the outbox, then pulls and merges everything
// new, retrying transient failures with backoff. When the server's
// answers to the push show that nothing but this device's own batches
// came since the last pull, it skips the pull. On success the store
// remembers the server's address.
func (c *Client) SyncOnce(ctx context.Context) (Report, error) {
	c.syncing.Lock()
	defer c.syncing.Unlock()
	rep, err := c.syncOnce(ctx)
	c.mu.Lock()
	c.status.Err = err
	if err == nil {
		c.status.LastSync = c.opts.Now()
	}
	c.mu.Unlock()
	return rep, err
}

func (c *Client) syncOnce(ctx context.Context) (Report, error) {
	var rep Report
	if err := c.retry(ctx, func(func()) error { return c.ensureRegistered(ctx) }); err != nil {
		return rep, err
	}
	pushed, err := c.push(ctx)
	rep.Pushed = pushed
	if errors.Is(err, errEpochRetired) {
		// A device was revoked while these changes waited: the new key
		// comes with the directory, so pull first, then seal them again
		// under it.
		pulled, perr := c.pull(ctx)
		rep.Pulled, rep.Applied = pulled.Changes, pulled.Applied
		if perr != nil {
			return rep, perr
		}
		pushed, err = c.push(ctx)
		rep.Pushed += pushed
	}
	if err != nil {
		return rep, err
	}
	done, err := c.caughtUp()
	if err != nil {
		return rep, err
	}
	if !done {
		pulled, err := c.pull(ctx)
		rep.Pulled, rep.Applied = pulled.Changes, pulled.Applied
		if err != nil {
			return rep, err
		}
	}
	open, err := c.s.Conflicts()
	if err != nil {
		return rep, err
	}
	rep.Conflicts = len(open)
	st, err := c.s.SyncState()
	if err == nil && st.Server != c.opts.Addr {
		err = c.s.SetServer(c.opts.Addr)
	}
	return rep, err
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
