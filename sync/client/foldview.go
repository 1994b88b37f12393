package client

import (
	"context"

	"medisecure/sync/wire"
)

// A sync round starts by asking the server for its view of the log
// (Devices: how far it holds each device's sequences, its head, its
// holes), so that recover hands back what a server restored from an older
// copy lost before anything else. For a workstation that pushes at every
// round, that call costs more bytes than the changes it pushes. So a round
// that has changes to push, after a round that ended well, pushes first
// and asks the server, with its first batch (PushRequest.view), for the
// view as it was just before the server filed that batch: the view the
// Devices call would have given, one round trip later. recover then runs
// on it after the push.
//
// That is sound when the push went cleanly: the server took the first
// batch right after this device's acknowledged sequences, so its view had
// this device where the store has it (nothing for adoptOwn), and what
// recover does for the other devices (hand back their batches, or all of
// them for a log with holes; read the whole log again when the server's
// head fell below the cursor) does not depend on whether this device's
// new batches were filed first: the server files each device's sequences
// on their own. A push that did not go cleanly (refused, as overlapping
// or out of order, a batch handed back on the way, any error) gives no
// view to trust: the round goes on as before, view first, then recover,
// then the push of what is left.

// folding is a folded round's state: whether its first push asked for the
// view, and the view the server answered.
type folding struct {
	asked bool
	view  *wire.DevicesResponse
	// dupAt is the server sequence of a first push the server already
	// held (an earlier attempt's answer was lost), 0 otherwise.
	dupAt uint64
}

// pushFolded runs the start of a round folded: the push, with the view
// asked with its first batch, then recover on that view. It reports false
// when it did not fold the round (nothing to push, the last round failed,
// this store does not keep its device record yet, or the server does not
// answer with a view) or when the push did not go cleanly; the caller
// then runs the round as usual (viewAndPush), which pushes what is left.
func (c *Client) pushFolded(ctx context.Context, rep *Report, v *serverView, rec *recovered) (bool, error) {
	if !c.foldable || c.noFold {
		return false, nil
	}
	st, err := c.s.SyncState()
	if err != nil {
		return false, err
	}
	if st.LastSeq == st.LastAck {
		return false, nil
	}
	marks, err := c.s.SyncMarks()
	if err != nil {
		return false, err
	}
	if marks.DeviceRecord == nil {
		return false, nil
	}
	c.fold = &folding{}
	pushed, err := c.push(ctx)
	f := c.fold
	c.fold = nil
	rep.Pushed += pushed
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return false, err
		}
		return false, nil
	case f.view == nil:
		// The server answered the push without a view: it is from
		// before PushRequest.view.
		c.noFold = c.noFold || f.asked
		return false, nil
	case c.round.unsure || c.restored > 0:
		return false, nil
	}
	*v = c.viewOf(f.view)
	rep.ClockOffset = v.offset
	if f.dupAt > 0 {
		// The server filed this batch on an earlier attempt whose answer
		// was lost, so its view already counts it: take the head as a
		// view before that attempt had it, at most the batch's place
		// less one. A lower head only makes recovery look again (a
		// whole-log pull that was already made once at the true head
		// is then made again next round, as it would be after a Devices
		// call taken before the push).
		v.head = min(v.head, f.dupAt-1)
	}
	// The view is from before the push; the server has since
	// acknowledged this device's batches up to the store's LastAck.
	if st, err = c.s.SyncState(); err != nil {
		return true, err
	}
	if self := c.device(); v.last[self] < st.LastAck {
		v.last[self] = st.LastAck
	}
	err = c.retry(ctx, func(func()) error {
		var err error
		*rec, err = c.recover(ctx, *v)
		return err
	})
	rep.Restored = rec.restored
	if err != nil {
		return true, err
	}
	if rec.rewind {
		if err := c.s.RewindCursor(); err != nil {
			return true, err
		}
	}
	return true, nil
}

// pushOwn pushes a kept batch of this device (pushRaw), asking for the
// server's view with the first batch of a folded round.
func (c *Client) pushOwn(ctx context.Context, raw []byte) (*wire.PushResponse, error) {
	f := c.fold
	if f == nil || f.asked {
		return c.pushRaw(ctx, raw, false)
	}
	req := &wire.PushRequest{Envelope: raw, View: true}
	c.sign(req, wire.Sync_Push_FullMethodName)
	var resp *wire.PushResponse
	err := c.unary(ctx, func(ctx context.Context) (err error) {
		resp, err = c.rpc.Push(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	f.asked, f.view = true, resp.GetView()
	if resp.Duplicate {
		f.dupAt = resp.ServerSeq
	}
	return resp, nil
}
