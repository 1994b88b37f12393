package server

import (
	"context"
	"errors"
	"fmt"

	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// Push files one sealed batch from the calling device, after checking that
// the device sealed and signed it and that it is within the size limit. It
// acknowledges by server sequence; a batch pushed again is stored once.
// A resupplied batch is another device's, handed back by a workstation
// that kept it: it must carry that device's signature. A backend that
// can (NoncedAppender) records the request's nonce with the batch, in
// one commit: a replayed push is then refused after its envelope is
// verified rather than before, a cost the per-peer failure throttle
// bounds. With view set, the answer carries the log's view as it was
// before the batch was filed (pushView).
func (s *Server) Push(ctx context.Context, req *wire.PushRequest) (*wire.PushResponse, error) {
	c := s.begin("push", req.GetAuth())
	c.add("size", len(req.GetEnvelope()))
	resp, err := s.push(ctx, c, req)
	return finish(c, resp, err)
}

func (s *Server) push(ctx context.Context, c *call, req *wire.PushRequest) (*wire.PushResponse, error) {
	nonced, _ := s.backend.(NoncedAppender)
	org, dev, err := s.authenticateNonce(ctx, wire.Sync_Push_FullMethodName, req, nonced == nil)
	if err != nil {
		return nil, err
	}
	raw := req.GetEnvelope()
	if len(raw) > s.maxBatch {
		return nil, fmt.Errorf("%w: %d bytes, at most %d; push smaller batches", ErrTooLarge, len(raw), s.maxBatch)
	}
	b, err := envelope.Unmarshal(raw)
	if err != nil {
		return nil, err
	}
	c.add("first", b.First, "last", b.Last, "epoch", b.Epoch)
	c.add("resupply", req.GetResupply())
	author := dev
	switch {
	case b.Org != org.ID:
		return nil, fmt.Errorf("%w: the batch is from organisation %s", ErrInvalid, b.Org)
	case req.GetResupply() && b.Device != dev.ID:
		if author, err = s.backend.Device(ctx, org.ID, b.Device); err != nil {
			return nil, err
		}
	case b.Device != dev.ID:
		return nil, fmt.Errorf("%w: the batch is from %s/%s, not from the calling device", ErrInvalid, b.Org, b.Device)
	}
	if err := envelope.Verify(b, author.PublicKey); err != nil {
		return nil, err
	}
	var view *wire.DevicesResponse
	if req.GetView() {
		if view, err = s.pushView(ctx, org.ID); err != nil {
			return nil, err
		}
	}
	var (
		seq uint64
		dup bool
	)
	if nonced != nil {
		a := req.GetAuth()
		seq, dup, err = nonced.AppendNonced(ctx, org.ID, Nonce{Device: a.DeviceId, Nonce: a.Nonce, At: s.now()}, batchFromEnvelope(b, raw))
		if errors.Is(err, ErrReplayed) {
			err = replayed(a.DeviceId)
		}
	} else {
		seq, dup, err = s.backend.Append(ctx, org.ID, batchFromEnvelope(b, raw))
	}
	if err != nil {
		return nil, err
	}
	c.add("server_seq", seq, "duplicate", dup)
	resp := &wire.PushResponse{ServerSeq: seq, Duplicate: dup, FirstSeq: b.First, LastSeq: b.Last, Later: true, View: view}
	// Whether anything follows tells the client whether it must pull;
	// when the log cannot be read, it pulls.
	if f, ok := s.backend.(Follower); ok {
		if later, err := f.HasAfter(ctx, org.ID, seq); err == nil {
			resp.Later = later
		}
	} else if next, err := s.backend.Range(ctx, org.ID, seq, 1); err == nil {
		resp.Later = len(next) > 0
	}
	return resp, nil
}

// pushView is the log's view (Devices with seqs_only) for a push that
// asked for it, taken before its batch is filed: the organisation is read
// again, as an authenticated push may have only its ID.
func (s *Server) pushView(ctx context.Context, orgID string) (*wire.DevicesResponse, error) {
	org, err := s.backend.Org(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.logView(ctx, org, true)
}
