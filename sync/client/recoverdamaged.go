package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"slices"

	"medisecure/store"
	"medisecure/sync/wire"
)

// A batch that comes damaged (it does not verify or open) is quarantined
// and its changes are missing; pullAll then reads the whole log again,
// once per state of the log, so that a batch the server holds damaged
// does not make every sync read everything. A batch damaged on the way,
// or by a server that hands out a good copy later, would then stay
// missing until the log changed: when the re-read came damaged as well,
// nothing asked for it again. So the server sequences of the batches
// that came damaged are remembered (Client.damaged), and a round that
// finds the store short pulls those batches again, one by one, before
// reading the whole log or giving up. A batch that comes damaged the
// same way twice is damaged where the server keeps it: it is not asked
// for again, and stays quarantined and missing, as before. Nor is one
// asked for more than refetchTries times, nor more than refetchMax
// batches a round, for a server that damages them differently each time.
// A read of the whole log (the log changed) notes them afresh.

// refetchMax is how many damaged batches a round pulls again at most,
// and refetchTries how many times one is pulled again.
const (
	refetchMax   = 16
	refetchTries = 8
)

// damage is what is known of a batch that came damaged.
type damage struct {
	// sum is the digest of the damaged copy that came last.
	sum [sha256.Size]byte
	// tries counts the pulls of it again; atRest is set once the same
	// damaged copy came twice.
	tries  int
	atRest bool
}

// noteDamaged remembers that the batch a pull got at server sequence seq
// did not verify or open.
func (c *Client) noteDamaged(seq uint64, envelope []byte) {
	if c.damaged == nil {
		c.damaged = map[uint64]*damage{}
	}
	sum := sha256.Sum256(envelope)
	d, ok := c.damaged[seq]
	if !ok {
		c.damaged[seq] = &damage{sum: sum}
		return
	}
	d.atRest = d.atRest || d.sum == sum
	d.sum = sum
}

// refetch pulls again the batches that came damaged, as far as the
// limits allow, and merges the intact copies, as the pull would have. A
// batch that comes damaged again stays remembered; one the server no
// longer holds at its sequence, or that the store keeps by now, is
// forgotten. It does not move the cursor.
func (c *Client) refetch(ctx context.Context, rep *Report) error {
	var seqs []uint64
	for seq, d := range c.damaged {
		if !d.atRest && d.tries < refetchTries {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	if len(seqs) > refetchMax {
		seqs = seqs[:refetchMax]
	}
	merged := false
	for _, seq := range seqs {
		c.damaged[seq].tries++
		var item *wire.PullItem
		err := c.retry(ctx, func(func()) error {
			var err error
			item, err = c.pullOne(ctx, seq)
			return err
		})
		if err != nil {
			return err
		}
		if item == nil || item.ServerSeq != seq {
			delete(c.damaged, seq)
			continue
		}
		have, err := c.s.Have()
		if err != nil {
			return err
		}
		pb, p, err := c.open(ctx, item, have)
		switch {
		case refusal(err) != "":
			c.noteDamaged(seq, item.Envelope)
			continue
		case err != nil:
			return err
		}
		delete(c.damaged, seq)
		if pb.Device == "" {
			continue
		}
		if len(p.Directory) > 0 {
			if _, err := c.importDirectory(p); err != nil {
				return err
			}
		}
		pb.Changes = p.Changes
		res, err := c.s.ApplyBatches([]store.PulledBatch{pb}, 0)
		if err != nil {
			return err
		}
		rep.Pulled += len(p.Changes)
		rep.Applied += res.Applied
		merged = true
	}
	if merged {
		// The merge left the search shards to be sealed by the pull's
		// last write (store.Session.ApplyBatches).
		return c.s.MarkPulled()
	}
	return nil
}

// refetchable reports whether a batch that came damaged is to be pulled
// again.
func (c *Client) refetchable() bool {
	for _, d := range c.damaged {
		if !d.atRest && d.tries < refetchTries {
			return true
		}
	}
	return false
}

// pullOne pulls the batch at server sequence seq, or the first after it
// when the server no longer holds it; nil when the log ends before.
func (c *Client) pullOne(ctx context.Context, seq uint64) (*wire.PullItem, error) {
	req := &wire.PullRequest{After: seq - 1, Limit: 1, OmitOwn: true}
	c.sign(req, wire.Sync_Pull_FullMethodName)
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	stream, err := c.rpc.Pull(cctx, req)
	if err != nil {
		return nil, c.noted(ctx, err)
	}
	item, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return nil, c.noted(ctx, nil)
	}
	if err != nil {
		return nil, c.noted(ctx, err)
	}
	// The stream ends after the one batch asked for; a server that sends
	// more is not listened to.
	if _, err := stream.Recv(); err != nil && !errors.Is(err, io.EOF) {
		return nil, c.noted(ctx, err)
	}
	return item, c.noted(ctx, nil)
}
