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

	"medisecure/core"
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
// the directory when the server has not acknowledged this copy of it. It
// reports how many changes the server acknowledged, and done when there
// was nothing to push.
func (c *Client) pushBatch(ctx context.Context, dir *localDirectory) (int, bool, error) {
	st, err := c.s.SyncState()
	if err != nil {
		return 0, false, err
	}
	marks, err := c.s.SyncMarks()
	if err != nil {
		return 0, false, err
	}
	dirDue := !bytes.Equal(marks.Directory, dir.digest)
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
	first := st.LastAck + 1
	b, n, err := c.seal(p, first, st.LastSeq)
	if err != nil {
		return 0, false, err
	}
	raw, err := envelope.Marshal(b)
	if err != nil {
		return 0, false, fmt.Errorf("client: encoding a batch: %w", err)
	}
	req := &wire.PushRequest{Envelope: raw}
	c.sign(req, wire.Sync_Push_FullMethodName)
	var resp *wire.PushResponse
	err = c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Push(ctx, req)
		return err
	})
	if codeOf(err) == codes.FailedPrecondition {
		c.round.unsure = true
		return c.resume(ctx, b, changes[:n], st)
	}
	if err != nil {
		return 0, false, err
	}
	if resp.FirstSeq != b.First || resp.LastSeq != b.Last {
		return 0, false, fmt.Errorf("%w: the server acknowledged sequences %d..%d for a batch of %d..%d", ErrRejected, resp.FirstSeq, resp.LastSeq, b.First, b.Last)
	}
	c.round.filed(resp)
	if err := c.s.Ack(b.Last); err != nil {
		return 0, false, err
	}
	if len(p.Directory) > 0 {
		if err := c.s.MarkDirectoryPushed(dir.digest); err != nil {
			return 0, false, err
		}
	}
	return n, false, nil
}

// seal seals the payload's first changes, as many as fit the batch limits,
// covering sequences first to the last change's (or to last, when the
// payload has no changes). It returns the batch and how many changes it
// holds.
func (c *Client) seal(p envelope.Payload, first, last uint64) (*envelope.Batch, int, error) {
	key, ok := c.orgKey(uint32(c.s.Epoch()))
	if !ok {
		return nil, 0, fmt.Errorf("client: the session holds no org key for epoch %d", c.s.Epoch())
	}
	all := p.Changes
	n := len(all)
	for {
		p.Changes = all[:n]
		if n > 0 {
			last = all[n-1].Seq
		}
		b, err := envelope.SealPayload(p, key, uint32(c.s.Epoch()), c.org, c.device(), first, last, c.s.DeviceKey())
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

// resume handles a push the server refused as out of order: the server
// already stored this device's changes up to some sequence (its answer to
// an earlier push was lost, and batches have been cut differently since),
// or the batch's key epoch is below the organisation's minimum. In the
// first case the store acknowledges what the server holds and the push
// carries on after it.
func (c *Client) resume(ctx context.Context, b *envelope.Batch, sent []core.Change, st store.Status) (int, bool, error) {
	stored, err := c.lastStored(ctx)
	if err != nil {
		return 0, false, err
	}
	if stored < b.First {
		return 0, false, fmt.Errorf("%w: changes %d..%d are sealed under key epoch %d, which the server no longer accepts since a device was revoked%w", ErrRejected, b.First, b.Last, b.Epoch, errEpochRetired)
	}
	if stored > st.LastSeq {
		return 0, false, fmt.Errorf("%w: the server holds changes up to %d, the store only up to %d", ErrStoreBehind, stored, st.LastSeq)
	}
	if err := c.s.Ack(stored); err != nil {
		return 0, false, err
	}
	n := 0
	for _, ch := range sent {
		if ch.Seq <= stored {
			n++
		}
	}
	return n, false, nil
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
