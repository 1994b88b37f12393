package pgstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// appendOne files a batch at the end of the organisation's log, once, in
// a transaction of its own: what a group that failed falls back to.
func (s *Store) appendOne(ctx context.Context, org string, b server.Batch) (seq uint64, dup bool, err error) {
	if b.Last > math.MaxInt64 {
		return 0, false, fmt.Errorf("%w: sequence %d is beyond what the server keeps", server.ErrInvalid, b.Last)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		seq, dup = 0, false
		o, err := lockOrg(ctx, tx, org)
		if err != nil {
			return err
		}
		d, err := deviceForAppend(ctx, tx, org, b)
		if err != nil {
			return err
		}
		if d.ackLast != nil {
			seq, err = d.stored(ctx, tx, org, b)
			dup = err == nil
			return err
		}
		switch {
		case b.First <= d.lastSeq:
			return fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
				server.ErrSeqConflict, b.Device, d.lastSeq, b.First)
		case b.First > d.lastSeq+1:
			return fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
				server.ErrSeqGap, b.Device, d.lastSeq, b.First)
		case b.Epoch < o.minEpoch:
			return fmt.Errorf("%w: the batch is sealed under epoch %d, the organisation requires %d or later",
				server.ErrStaleEpoch, b.Epoch, o.minEpoch)
		}
		seq = o.head + 1
		// One round trip for the four writes.
		w := &pgx.Batch{}
		w.Queue(`INSERT INTO batches (org, seq, device, first, last, epoch, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			org, int64(seq), b.Device, int64(b.First), int64(b.Last), int64(b.Epoch), nonNil(b.Envelope))
		w.Queue(`INSERT INTO acks (org, device, first, last, seq) VALUES ($1, $2, $3, $4, $5)`,
			org, b.Device, int64(b.First), int64(b.Last), int64(seq))
		w.Queue(`UPDATE devices SET last_seq = $3 WHERE org = $1 AND id = $2`, org, b.Device, int64(b.Last))
		w.Queue(`UPDATE orgs SET head = $2 WHERE id = $1`, org, int64(seq))
		if err := tx.SendBatch(ctx, w).Close(); err != nil {
			return failed(fmt.Sprintf("filing batch %s %d..%d", b.Device, b.First, b.Last), err)
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return seq, dup, nil
}

// appendDevice is what Append reads of the pushing device, with the
// acknowledgement of a stored batch that starts where this one does.
type appendDevice struct {
	lastSeq uint64
	// ackLast and ackSeq are the stored batch's last device sequence and
	// server sequence, nil when there is none; sameEnvelope says whether
	// its envelope is this one's, nil when the log lost it.
	ackLast, ackSeq *int64
	sameEnvelope    *bool
}

// deviceForAppend reads the pushing device in tx, after lockOrg, so that
// what it reads stays true until commit.
func deviceForAppend(ctx context.Context, tx pgx.Tx, org string, b server.Batch) (appendDevice, error) {
	var (
		d       appendDevice
		revoked bool
		last    int64
	)
	// The envelope is compared by digest, so that it is not sent twice.
	sum := sha256.Sum256(b.Envelope)
	err := tx.QueryRow(ctx, `SELECT d.revoked_at IS NOT NULL, d.last_seq, a.last, a.seq, sha256(bt.envelope) = $4
		FROM devices d
		LEFT JOIN acks a ON a.org = d.org AND a.device = d.id AND a.first = $3
		LEFT JOIN batches bt ON bt.org = a.org AND bt.seq = a.seq
		WHERE d.org = $1 AND d.id = $2`, org, b.Device, int64(b.First), sum[:]).
		Scan(&revoked, &last, &d.ackLast, &d.ackSeq, &d.sameEnvelope)
	switch {
	case isNoRows(err):
		return d, fmt.Errorf("%w: %s", server.ErrUnknownDevice, b.Device)
	case err != nil:
		return d, failed("reading device "+b.Device, err)
	case revoked:
		return d, fmt.Errorf("%w: %s", server.ErrRevoked, b.Device)
	}
	d.lastSeq = uint64(last)
	return d, nil
}

// stored checks a batch against the stored batch with the same first
// sequence and returns its server sequence. The same envelope is the same
// batch; when the log lost it, it is filed again in its old place.
// Anything else is another batch under the same sequences.
func (d appendDevice) stored(ctx context.Context, tx pgx.Tx, org string, b server.Batch) (uint64, error) {
	conflict := fmt.Errorf("%w: device %s stored another batch %d..%d, this one is %d..%d",
		server.ErrSeqConflict, b.Device, b.First, *d.ackLast, b.First, b.Last)
	seq := uint64(*d.ackSeq)
	switch {
	case uint64(*d.ackLast) != b.Last:
		return 0, conflict
	case d.sameEnvelope == nil:
		_, err := tx.Exec(ctx, `INSERT INTO batches (org, seq, device, first, last, epoch, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			org, int64(seq), b.Device, int64(b.First), int64(b.Last), int64(b.Epoch), nonNil(b.Envelope))
		if err != nil {
			return 0, failed(fmt.Sprintf("filing batch %s %d..%d again", b.Device, b.First, b.Last), err)
		}
	case !*d.sameEnvelope:
		return 0, conflict
	}
	return seq, nil
}

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
