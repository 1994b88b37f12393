package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc/codes"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// A server restored from an older copy, or one that lost batches, forgets
// what it acknowledged; its server sequences start again below the
// workstations' cursors. Every workstation keeps the batches it pushed
// and pulled (store.Batch) and knows, per device, up to which sequence it
// holds them all (store.Session.Have). At each sync it compares that with
// what the server lists per device, hands back what the server lacks
// (its own batches as pushed, the others' as pulled, each signed by the
// device that made it), and pulls the whole log again when the server's
// sequences can no longer be trusted.

// serverView is what the server said of the log as a sync began.
type serverView struct {
	last    map[string]uint64
	head    uint64
	missing uint64
	// offset is this workstation's clock less the server's.
	offset time.Duration
}

// view asks the server for its log and how far it holds each device's
// sequences. Once this workstation keeps its own device record, which
// never changes, it asks without the records (the keys are listed when a
// batch needs one, deviceKey): at every sync they would be the bulk of
// its bytes.
func (c *Client) view(ctx context.Context) (serverView, error) {
	marks, err := c.s.SyncMarks()
	if err != nil {
		return serverView{}, err
	}
	req := &wire.DevicesRequest{SeqsOnly: marks.DeviceRecord != nil}
	c.sign(req, wire.Sync_Devices_FullMethodName)
	var resp *wire.DevicesResponse
	err = c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Devices(ctx, req)
		return err
	})
	if err != nil {
		return serverView{}, err
	}
	if err := c.keepRecord(resp); err != nil {
		return serverView{}, err
	}
	return c.viewOf(resp), nil
}

// viewOf reads the server's answer to Devices (or the view a push asked
// for).
func (c *Client) viewOf(resp *wire.DevicesResponse) serverView {
	v := serverView{last: map[string]uint64{}, head: resp.Head, missing: resp.Missing}
	for _, d := range resp.Devices {
		id := d.DeviceId
		if id == "" {
			// A server from before seqs_only sends the records.
			id = d.GetRecord().GetRecord().GetDeviceId()
		}
		v.last[id] = d.LastSeq
	}
	if resp.ServerUnixMs != 0 {
		v.offset = c.opts.Now().Sub(time.UnixMilli(resp.ServerUnixMs))
	}
	return v
}

// recovered is what recover found and did.
type recovered struct {
	// restored counts the sequences handed back to the server.
	restored int
	// rewind is set when the server's sequences cannot be trusted: the
	// next pull reads the whole log.
	rewind bool
}

// recover hands back to the server what it lost: this device's
// acknowledged batches and other devices' pulled ones beyond what it
// lists, and every kept batch when it reports batches missing from its
// log. It refuses to go on when the server holds changes of this device
// that this store did not make (a copied store).
func (c *Client) recover(ctx context.Context, v serverView) (recovered, error) {
	var r recovered
	st, err := c.s.SyncState()
	if err != nil {
		return r, err
	}
	self := c.device()
	stored, listed := v.last[self]
	if listed && stored > st.LastAck {
		if err := c.adoptOwn(ctx, st, stored); err != nil {
			return r, err
		}
		if st, err = c.s.SyncState(); err != nil {
			return r, err
		}
	}
	if v.head < st.Cursor {
		r.rewind = true
	}
	have, err := c.s.Have()
	if err != nil {
		return r, err
	}
	have[self] = st.LastAck
	holes := v.missing > 0 && c.refilled != [2]uint64{v.head, v.missing}
	for dev, server := range v.last {
		if holes {
			if err := c.resupplyAll(ctx, dev); err != nil {
				return r, err
			}
			continue
		}
		if have[dev] <= server {
			continue
		}
		n, err := c.resupply(ctx, dev, server, have[dev])
		if err != nil {
			return r, err
		}
		r.restored += n
		r.rewind = r.rewind || n > 0
	}
	if holes {
		// Where the log stands once every kept batch went back: holes
		// this store cannot fill stay, and are not refilled again until
		// the log changes; a batch lost later, even one handed back
		// now, shows as more missing than this, and is.
		after, err := c.view(ctx)
		if err != nil {
			return r, err
		}
		c.refilled = [2]uint64{after.head, after.missing}
		r.restored += int(v.missing)
		r.rewind = true
	}
	return r, nil
}

// resupply hands back a device's kept batches after seq, up to upTo, in
// order, and returns how many sequences the server lacked.
func (c *Client) resupply(ctx context.Context, dev string, after, upTo uint64) (int, error) {
	n := 0
	for after < upTo {
		kept, err := c.s.KeptBatches(dev, after, 50)
		if err != nil {
			return n, err
		}
		if len(kept) == 0 || kept[0].First != after+1 {
			return n, fmt.Errorf("%w: the server lost changes %d to %d of device %s, and this workstation does not keep them", ErrServerLost, after+1, upTo, dev)
		}
		for _, k := range kept {
			if k.First != after+1 || k.Last > upTo {
				return n, nil
			}
			resp, err := c.pushRaw(ctx, k.Envelope, dev != c.device())
			if err != nil {
				return n, err
			}
			if !resp.Duplicate {
				n += int(k.Last - k.First + 1)
			}
			after = k.Last
		}
	}
	return n, nil
}

// resupplyAll hands back every kept batch of a device, for a server whose
// log has holes: it files again those it lost and takes the others as
// duplicates.
func (c *Client) resupplyAll(ctx context.Context, dev string) error {
	after := uint64(0)
	for {
		kept, err := c.s.KeptBatches(dev, after, 50)
		if err != nil || len(kept) == 0 {
			return err
		}
		for _, k := range kept {
			if _, err := c.pushRaw(ctx, k.Envelope, dev != c.device()); err != nil {
				return err
			}
			after = k.Last
		}
	}
}

// pushRaw pushes envelope bytes as they are, as another device's batch
// when resupply is set.
func (c *Client) pushRaw(ctx context.Context, raw []byte, resupply bool) (*wire.PushResponse, error) {
	req := &wire.PushRequest{Envelope: raw, Resupply: resupply}
	c.sign(req, wire.Sync_Push_FullMethodName)
	var resp *wire.PushResponse
	err := c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Push(ctx, req)
		return err
	})
	return resp, err
}

// adoptOwn handles a server that holds more of this device's sequences
// than the store has acknowledged, up to stored. When they are the
// store's own pending changes (the store stopped before it recorded the
// acknowledgement, or it was put back from a copy taken just before), it
// keeps the server's batches and acknowledges them. When the store never
// made them, or made others under the same sequences, another store syncs
// under this device's ID: ErrStoreBehind.
func (c *Client) adoptOwn(ctx context.Context, st store.Status, stored uint64) error {
	if stored > st.LastSeq {
		return fmt.Errorf("%w: the server holds changes up to %d, the store only up to %d", ErrStoreBehind, stored, st.LastSeq)
	}
	mine := map[uint64]*envelope.Batch{}
	raws := map[uint64][]byte{}
	err := c.scan(ctx, func(item *wire.PullItem) error {
		b, err := envelope.Unmarshal(item.Envelope)
		if err != nil || b.Device != c.device() || b.Last <= st.LastAck || b.First > stored {
			return nil
		}
		mine[b.First], raws[b.First] = b, item.Envelope
		return nil
	})
	if err != nil {
		return err
	}
	pub := c.s.DeviceKey().Public().(ed25519.PublicKey)
	for next := st.LastAck + 1; next <= stored; {
		b, ok := mine[next]
		if !ok {
			// The log lost it (the server reports holes): a batch this
			// store kept goes back in its place.
			last, err := c.refill(ctx, next)
			if err != nil {
				return err
			}
			next = last + 1
			continue
		}
		p, err := envelope.OpenPayload(b, c.orgKey, pub)
		if err != nil {
			return fmt.Errorf("%w: the server's batch %d..%d of this device does not open: %s", ErrStoreBehind, b.First, b.Last, reason(err))
		}
		if err := c.sameAsOutbox(p.Changes, b.First, b.Last); err != nil {
			return err
		}
		if err := c.s.KeepOwn(store.Batch{Device: b.Device, First: b.First, Last: b.Last, Envelope: raws[next]}); err != nil {
			return err
		}
		if err := c.s.Ack(b.Last); err != nil {
			return err
		}
		next = b.Last + 1
	}
	return nil
}

// refill pushes this device's kept batch that starts at first, which the
// server lists but whose batch its log lost, and acknowledges it once the
// server took it as its own. It returns the batch's last sequence.
func (c *Client) refill(ctx context.Context, first uint64) (uint64, error) {
	kept, err := c.s.KeptBatches(c.device(), first-1, 1)
	if err != nil {
		return 0, err
	}
	if len(kept) == 0 || kept[0].First != first {
		return 0, fmt.Errorf("%w: the server lists changes from %d of this device that it does not hand over and this store did not push", ErrStoreBehind, first)
	}
	_, err = c.pushRaw(ctx, kept[0].Envelope, false)
	if codeOf(err) == codes.FailedPrecondition {
		return 0, fmt.Errorf("%w: the server holds other changes %d..%d of this device", ErrStoreBehind, kept[0].First, kept[0].Last)
	}
	if err != nil {
		return 0, err
	}
	return kept[0].Last, c.s.Ack(kept[0].Last)
}

// sameAsOutbox reports ErrStoreBehind unless changes are exactly the
// outbox's for sequences first to last.
func (c *Client) sameAsOutbox(changes []core.Change, first, last uint64) error {
	local, err := c.s.Outbox(first-1, int(last-first+1))
	if err != nil {
		return err
	}
	var want []core.Change
	for _, ch := range local {
		if ch.Seq <= last {
			want = append(want, ch)
		}
	}
	a, _ := json.Marshal(changes)
	b, _ := json.Marshal(envelope.AsOpened(want))
	if len(changes) != len(want) || !bytes.Equal(a, b) {
		return fmt.Errorf("%w: the server's changes %d..%d of this device are not this store's", ErrStoreBehind, first, last)
	}
	return nil
}

// scan reads the organisation's whole log, own batches included, handing
// each item to fn.
func (c *Client) scan(ctx context.Context, fn func(*wire.PullItem) error) error {
	after := uint64(0)
	for {
		req := &wire.PullRequest{After: after, Limit: uint32(c.opts.PullLimit)}
		c.sign(req, wire.Sync_Pull_FullMethodName)
		cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
		stream, err := c.rpc.Pull(cctx, req)
		if err != nil {
			cancel()
			return c.noted(ctx, err)
		}
		n := 0
		for {
			item, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				cancel()
				return c.noted(ctx, err)
			}
			n++
			after = item.ServerSeq
			if err := fn(item); err != nil {
				cancel()
				return err
			}
		}
		cancel()
		if n < c.opts.PullLimit {
			return nil
		}
	}
}

// complete compares what the store keeps with what the server listed
// after a pull: the sequences of other devices it lists but the store
// does not hold.
func (c *Client) complete(v serverView) (int, error) {
	have, err := c.s.Have()
	if err != nil {
		return 0, err
	}
	short := 0
	for dev, last := range v.last {
		if dev != c.device() && have[dev] < last {
			short += int(last - have[dev])
		}
	}
	return short, nil
}
