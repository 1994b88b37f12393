package server

import (
	"context"
	"fmt"

	"medisecure/sync/wire"
)

// Pull streams the calling organisation's batches after the client's
// cursor, in order, at most the limit the client names; with omit_own,
// the caller's own batches go without their envelope. A device revoked
// while it pulls is cut off at the next page.
func (s *Server) Pull(req *wire.PullRequest, stream wire.Sync_PullServer) error {
	c := s.begin("pull", req.GetAuth())
	c.add("after", req.GetAfter())
	_, err := finish(c, struct{}{}, s.pull(c, req, stream))
	return err
}

func (s *Server) pull(c *call, req *wire.PullRequest, stream wire.Sync_PullServer) error {
	ctx := stream.Context()
	org, dev, err := s.authenticate(ctx, wire.Sync_Pull_FullMethodName, req)
	if err != nil {
		return err
	}
	limit := int(req.GetLimit())
	switch {
	case limit == 0:
		limit = DefaultPullLimit
	case limit > MaxPullLimit:
		// Capping instead would make a client that got fewer than it
		// asked for believe it had caught up.
		return fmt.Errorf("%w: a pull takes at most %d batches, not %d", ErrInvalid, MaxPullLimit, limit)
	}
	after, sent, size := req.GetAfter(), 0, 0
	defer func() { c.add("batches", sent, "size", size) }()
	for sent < limit {
		want := min(pullPage, limit-sent)
		if sent > 0 {
			if err := s.stillStanding(ctx, org.ID, dev.ID); err != nil {
				return err
			}
		}
		page, err := s.backend.Range(ctx, org.ID, after, want)
		if err != nil {
			return err
		}
		for _, b := range page {
			item := &wire.PullItem{ServerSeq: b.Seq, Envelope: b.Envelope}
			if req.GetOmitOwn() && b.Device == dev.ID {
				item.Envelope = nil
			}
			if err := stream.Send(item); err != nil {
				return err
			}
			after = b.Seq
			sent++
			size += len(item.Envelope)
		}
		if len(page) < want {
			return nil
		}
	}
	return nil
}

// stillStanding re-reads the pulling device between pages, so that a
// revocation takes effect within a long pull.
func (s *Server) stillStanding(ctx context.Context, org, device string) error {
	dev, err := s.backend.Device(ctx, org, device)
	if err != nil {
		return err
	}
	if dev.Revoked {
		return fmt.Errorf("%w: device %s was revoked during the pull", ErrRevoked, device)
	}
	return nil
}
