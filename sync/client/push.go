package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"

	"medisecure/store"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// Push sends the outbox to the server in batches and acknowledges each
// batch in the store once the server has stored it. It returns how many
// changes the server acknowledged. Transient failures are retried with
// backoff; a push cut short resumes after the last acknowledged change.
func (c *Client) Push(ctx context.Context) (int, error) {
	c.syncing.Lock()
	defer c.syncing.Unlock()
	return c.push(ctx)
}

func (c *Client) push(ctx context.Context) (int, error) {
	c.round = pushRound{seqs: map[uint64]bool{}}
	dir, err := c.directory()
	if err != nil {
		return 0, err
	}
	total := 0
	err = c.retry(ctx, func(progress func()) error {
		for {
			n, done, err := c.pushBatch(ctx, dir)
			if err != nil || done {
				return err
			}
			total += n
			progress()
		}
	})
	return total, err
}

// localDirectory is this device's copy of the key directory and its digest.
type localDirectory struct {
	entries []json.RawMessage
	digest  []byte
}

// directory reads the key directory and its digest.
func (c *Client) directory() (*localDirectory, error) {
	raw, err := c.s.DirectoryEntries()
	if err != nil {
		return nil, err
	}
	d := &localDirectory{entries: make([]json.RawMessage, len(raw))}
	h := sha256.New()
	for i, e := range raw {
		d.entries[i] = e
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e))))
		h.Write(e)
	}
	d.digest = h.Sum(nil)
	return d, nil
}

// pushBatch pushes the next batch: the oldest unacknowledged changes, with
// the directory when the server has not acknowledged this copy of it. A
// batch is sealed once and kept: pushed again after a failure it is the
// same bytes. It reports how many changes the server acknowledged, and
// done when there was nothing to push.
func (c *Client) pushBatch(ctx context.Context, dir *localDirectory) (int, bool, error) {
	st, err := c.s.SyncState()
	if err != nil {
		return 0, false, err
	}
	kept, err := c.s.KeptBatches(c.device(), st.LastAck, 1)
	if err != nil {
		return 0, false, err
	}
	marks, err := c.s.SyncMarks()
	if err != nil {
		return 0, false, err
	}
	dirDue := !bytes.Equal(marks.Directory, dir.digest)
	if len(kept) == 1 && kept[0].First == st.LastAck+1 {
		// The batch after it may be sealed ahead, without the directory,
		// only when the directory is not due once this one is
		// acknowledged.
		ahead := !dirDue || bytes.Equal(c.sealedDir[kept[0].First], dir.digest)
		return c.pushKept(ctx, kept[0], st, ahead)
	}
	changes, err := c.s.Outbox(st.LastAck, c.opts.BatchChanges)
	if err != nil {
		return 0, false, err
	}
	if len(changes) == 0 && st.LastSeq == st.LastAck {
		if !dirDue {
			return 0, true, nil
		}
		// Only the directory is new: it needs a sequence of its own.
		if st.LastSeq, err = c.s.ReserveSeq(); err != nil {
			return 0, false, err
		}
	}
	p := envelope.Payload{Changes: changes}
	if dirDue || len(changes) == 0 {
		// A batch without changes covers sequences reserved for the
		// directory; it carries the directory even when the server has
		// it, to close the gap.
		p.Directory = dir.entries
	}
	b, _, err := c.seal(p, st.LastAck+1, st.LastSeq)
	if err != nil {
		return 0, false, err
	}
	k, err := c.keepOwn(b)
	if err != nil {
		return 0, false, err
	}
	if len(p.Directory) > 0 {
		c.sealedDir[b.First] = dir.digest
	}
	return c.pushKept(ctx, k, st, true)
}

// sealAhead seals the batch of the changes after sequence after, up to
// BatchChanges of them, and keeps it, unless a batch from after+1 is kept
// already: the next batch to push, made ready while the one before it is
// in flight, so that the push does not wait for the store between
// batches. It gives up quietly: pushBatch then seals that batch itself.
func (c *Client) sealAhead(after, lastSeq uint64) {
	if kept, err := c.s.KeptBatches(c.device(), after, 1); err != nil || len(kept) > 0 {
		return
	}
	changes, err := c.s.Outbox(after, c.opts.BatchChanges)
	if err != nil || len(changes) == 0 {
		return
	}
	b, _, err := c.seal(envelope.Payload{Changes: changes}, after+1, lastSeq)
	if err != nil {
		return
	}
	c.keepOwn(b)
}

// keepOwn marshals a sealed batch of this device and keeps it before it
// is pushed.
func (c *Client) keepOwn(b *envelope.Batch) (store.Batch, error) {
	raw, err := envelope.Marshal(b)
	if err != nil {
		return store.Batch{}, fmt.Errorf("client: encoding a batch: %w", err)
	}
	k := store.Batch{Device: b.Device, First: b.First, Last: b.Last, Envelope: raw}
	return k, c.s.KeepOwn(k)
}

// pushKept pushes a kept batch of this device and acknowledges it. A
// server that lost earlier batches of this device (it refuses the gap)
// gets them back first. With ahead, the next batch is sealed and kept
// while this one is in flight (sealAhead); pushKept returns once that is
// done, and handles a refusal only after it.
func (c *Client) pushKept(ctx context.Context, k store.Batch, st store.Status, ahead bool) (int, bool, error) {
	var sealing chan struct{}
	if ahead && st.LastSeq > k.Last {
		sealing = make(chan struct{})
		go func() {
			defer close(sealing)
			c.sealAhead(k.Last, st.LastSeq)
		}()
	}
	sealed := func() {
		if sealing != nil {
			<-sealing
			sealing = nil
		}
	}
	defer sealed()
	resp, err := c.pushOwn(ctx, k.Envelope)
	if err != nil {
		sealed()
	}
	switch codeOf(err) {
	case codes.FailedPrecondition:
		c.round.unsure = true
		return 0, false, c.refused(ctx, k, st)
	case codes.OutOfRange:
		c.round.unsure = true
		stored, err := c.lastStored(ctx)
		if err != nil {
			return 0, false, err
		}
		n, err := c.resupply(ctx, c.device(), stored, st.LastAck)
		c.restored += n
		return 0, false, err
	}
	if err != nil {
		return 0, false, err
	}
	if resp.FirstSeq != k.First || resp.LastSeq != k.Last {
		return 0, false, fmt.Errorf("%w: the server acknowledged sequences %d..%d for a batch of %d..%d", ErrRejected, resp.FirstSeq, resp.LastSeq, k.First, k.Last)
	}
	c.round.filed(resp)
	sent, err := c.s.OutboxCount(st.LastAck, k.Last)
	if err != nil {
		return 0, false, err
	}
	if err := c.s.Ack(k.Last); err != nil {
		return 0, false, err
	}
	if digest, ok := c.sealedDir[k.First]; ok {
		delete(c.sealedDir, k.First)
		if err := c.s.MarkDirectoryPushed(digest); err != nil {
			return 0, false, err
		}
	}
	return sent, false, nil
}

// seal seals the payload's first changes, as many as fit the batch limits,
// covering sequences first to the last change's (or to last, when the
// payload has no changes). It returns the batch and how many changes it
// holds.
func (c *Client) seal(p envelope.Payload, first, last uint64) (*envelope.Batch, int, error) {
	// The epoch is read once: a key rotated meanwhile must not label a
	// batch sealed under the old key with the new epoch.
	epoch := uint32(c.s.Epoch())
	key, ok := c.orgKey(epoch)
	if !ok {
		return nil, 0, fmt.Errorf("client: the session holds no org key for epoch %d", epoch)
	}
	all := p.Changes
	n := len(all)
	for {
		p.Changes = all[:n]
		if n > 0 {
			last = all[n-1].Seq
		}
		b, err := envelope.SealPayload(p, key, epoch, c.org, c.device(), first, last, c.s.DeviceKey())
		tooBig := errors.Is(err, envelope.ErrTooLarge) || err == nil && b.Size() > c.opts.BatchBytes
		if tooBig && n > 1 {
			n = max(1, n/2)
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("client: sealing changes %d..%d: %w", first, last, err)
		}
		return b, n, nil
	}
}

// errEpochRetired marks a push refused because its key epoch was retired;
// its text is empty, as the message around it says it all.
var errEpochRetired = errors.New("")

// refused handles a push the server refused as out of order: the batch's
// key epoch is below the organisation's minimum (the kept batches not
// acknowledged are dropped, to be sealed again under the new key), or the
// server holds other batches under these sequences, which adoptOwn sorts
// out.
func (c *Client) refused(ctx context.Context, k store.Batch, st store.Status) error {
	stored, err := c.lastStored(ctx)
	if err != nil {
		return err
	}
	if stored < k.First {
		epoch := uint32(0)
		if b, err := envelope.Unmarshal(k.Envelope); err == nil {
			epoch = b.Epoch
		}
		if err := c.s.DropUnacked(); err != nil {
			return err
		}
		return fmt.Errorf("%w: changes %d..%d are sealed under key epoch %d, which the server no longer accepts since a device was revoked%w", ErrRejected, k.First, k.Last, epoch, errEpochRetired)
	}
	return c.adoptOwn(ctx, st, stored)
}

// pushRound is what the server said of one push's batches: where it
// filed them, and whether anything followed the last.
type pushRound struct {
	seqs  map[uint64]bool
	last  uint64
	later bool
	// unsure is set when a batch was refused as overlapping: where the
	// earlier push filed it is not known.
	unsure bool
}

// filed notes a push's answer.
func (r *pushRound) filed(resp *wire.PushResponse) {
	if r.seqs == nil {
		r.seqs = map[uint64]bool{}
	}
	r.seqs[resp.ServerSeq] = true
	if resp.ServerSeq >= r.last {
		r.last, r.later = resp.ServerSeq, resp.Later
	}
}

// caughtUp moves the cursor past this device's own batches when the push
// showed that nothing but them came since the cursor, and reports whether
// it did: then there is nothing to pull, and the round trip is saved.
func (c *Client) caughtUp() (bool, error) {
	r := c.round
	if len(r.seqs) == 0 || r.later || r.unsure {
		return false, nil
	}
	st, err := c.s.SyncState()
	if err != nil {
		return false, err
	}
	for s := st.Cursor + 1; s <= r.last; s++ {
		if !r.seqs[s] {
			return false, nil
		}
	}
	if r.last > st.Cursor {
		_, err = c.s.ApplyRemote(nil, r.last)
	} else {
		err = c.s.MarkPulled()
	}
	return err == nil, err
}
