package pgstore

import (
	"context"
	"sync"
	"time"

	"medisecure/sync/server"
)

// Expired nonces are forgotten in bounded steps, at most once per
// pruneEvery of request time per process, so that a request pays for a
// delete now and then rather than each time; a step that removed a full
// pruneBatch leaves the next request to go on.
const (
	pruneEvery = time.Second
	pruneBatch = 5000
)

// SeenNonce records a request nonce and reports whether it was recorded
// before. The primary key (org, device, nonce) decides, so that of two
// processes receiving one replayed request at once, one accepts it.
func (s *Store) SeenNonce(ctx context.Context, org, device string, nonce []byte, at time.Time) (bool, error) {
	if s.pruned.due(at) {
		s.prune(ctx, at)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO nonces (org, device, nonce, received)
		SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM orgs WHERE id = $1)
		ON CONFLICT (org, device, nonce) DO NOTHING`, org, device, nonNil(nonce), at)
	if err != nil {
		return false, failed("recording a request nonce", err)
	}
	if tag.RowsAffected() == 1 {
		return false, nil
	}
	// Nothing inserted: a nonce seen before, or no such organisation.
	if err := s.orgExists(ctx, org); err != nil {
		return false, err
	}
	return true, nil
}

// prune forgets up to pruneBatch nonces received more than
// server.ReplayWindow before at. A failure leaves them for a later
// request: remembering a nonce longer than the window is allowed, so
// the request that happened to prune does not fail for it.
func (s *Store) prune(ctx context.Context, at time.Time) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM nonces WHERE (org, device, nonce) IN
		(SELECT org, device, nonce FROM nonces WHERE received < $1 ORDER BY received LIMIT $2)`,
		at.Add(-server.ReplayWindow), pruneBatch)
	if err == nil && tag.RowsAffected() == pruneBatch {
		s.pruned.again()
	}
}

// pacer says when the next prune is due.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// due reports whether a prune is due at the time at, and if so books the
// next one.
func (p *pacer) due(at time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at.Before(p.next) {
		return false
	}
	p.next = at.Add(pruneEvery)
	return true
}

// again makes the next request prune.
func (p *pacer) again() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = time.Time{}
}
