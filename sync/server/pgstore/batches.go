package pgstore

import (
	"context"
	"math"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// Log reports the head of the organisation's log and how many batches up
// to it are gone.
func (s *Store) Log(ctx context.Context, org string) (server.LogInfo, error) {
	var head, n int64
	err := s.pool.QueryRow(ctx, `SELECT o.head, (SELECT count(*) FROM batches b WHERE b.org = o.id) FROM orgs o WHERE o.id = $1`, org).
		Scan(&head, &n)
	switch {
	case isNoRows(err):
		return server.LogInfo{}, unknownOrg(org)
	case err != nil:
		return server.LogInfo{}, failed("reading the log of "+org, err)
	}
	info := server.LogInfo{Head: uint64(head)}
	if n < head {
		info.Missing = uint64(head - n)
	}
	return info, nil
}

// HasAfter reports whether the log holds a batch after a server
// sequence.
func (s *Store) HasAfter(ctx context.Context, org string, seq uint64) (bool, error) {
	if seq >= math.MaxInt64 {
		return false, s.orgExists(ctx, org)
	}
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM batches WHERE org = $1 AND seq > $2)`, org, int64(seq)).Scan(&found)
	if err != nil {
		return false, failed("reading the log of "+org, err)
	}
	if !found {
		// No batch may be an organisation that does not exist.
		return false, s.orgExists(ctx, org)
	}
	return true, nil
}

// Range returns stored batches after a server sequence, in order.
func (s *Store) Range(ctx context.Context, org string, after uint64, limit int) ([]server.Stored, error) {
	if after > math.MaxInt64 {
		after = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, device, first, last, epoch, envelope FROM batches
		WHERE org = $1 AND seq > $2 ORDER BY seq LIMIT $3`, org, int64(after), limit)
	if err != nil {
		return nil, failed("reading the log of "+org, err)
	}
	defer rows.Close()
	var out []server.Stored
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			return nil, failed("reading the log of "+org, err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, failed("reading the log of "+org, err)
	}
	if len(out) == 0 {
		// An empty page may be an organisation that does not exist.
		return nil, s.orgExists(ctx, org)
	}
	return out, nil
}

// scanStored reads a row of seq, device, first, last, epoch, envelope.
func scanStored(rows pgx.Rows) (server.Stored, error) {
	var (
		st                      server.Stored
		seq, first, last, epoch int64
	)
	if err := rows.Scan(&seq, &st.Device, &first, &last, &epoch, &st.Envelope); err != nil {
		return server.Stored{}, err
	}
	st.Seq, st.First, st.Last, st.Epoch = uint64(seq), uint64(first), uint64(last), uint32(epoch)
	return st, nil
}
