package pgstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
	"medisecure/sync/server/internal/group"
)

// Pushes are committed in groups: the pushes of an organisation that
// arrive at one process while its previous commit is under way are filed
// in one transaction, which locks the organisation's row once, reads
// every pushing device and acknowledgement in two queries, decides each
// batch in order as Append alone would, writes them all in one round trip
// and commits once. Other processes take the same row lock, so across
// processes the transactions still take turns per organisation. A group
// whose transaction fails other than by the database asking for a retry
// is run again one push at a time, so that a failing push fails alone.

// Group bounds: a group's batches are held in memory until its commit.
const (
	groupOps   = 1024
	groupBytes = 32 << 20
	// groupTimeout bounds a group's transaction.
	groupTimeout = time.Minute
)

// push is one Append waiting in a group, with the request nonce to
// record first when there is one; seq and dup are its result.
type push struct {
	ctx   context.Context
	org   string
	nonce *server.Nonce
	b     server.Batch
	sum   [sha256.Size]byte
	seq   uint64
	dup   bool
}

// newCommitter returns the store's group committer.
func (s *Store) newCommitter() *group.Committer[*push] {
	return group.New(groupOps, groupBytes, s.commitGroup)
}

// Append files a batch at the end of the organisation's log, once, in a
// transaction shared with the organisation's pushes that arrive
// meanwhile.
func (s *Store) Append(ctx context.Context, org string, b server.Batch) (seq uint64, dup bool, err error) {
	return s.append(ctx, org, nil, b)
}

// AppendNonced records a push's request nonce and files its batch, in
// one transaction shared with the organisation's pushes that arrive
// meanwhile.
func (s *Store) AppendNonced(ctx context.Context, org string, n server.Nonce, b server.Batch) (seq uint64, dup bool, err error) {
	if s.pruned.due(n.At) {
		s.prune(ctx, n.At)
	}
	return s.append(ctx, org, &n, b)
}

// append files b, after recording n when it is not nil, in a group.
func (s *Store) append(ctx context.Context, org string, n *server.Nonce, b server.Batch) (seq uint64, dup bool, err error) {
	if b.Last > math.MaxInt64 {
		return 0, false, fmt.Errorf("%w: sequence %d is beyond what the server keeps", server.ErrInvalid, b.Last)
	}
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	p := &push{ctx: ctx, org: org, nonce: n, b: b, sum: sha256.Sum256(b.Envelope)}
	if err := s.group.Do(p, len(b.Envelope)); err != nil {
		return 0, false, err
	}
	return p.seq, p.dup, nil
}

// commitGroup files a group's pushes, one transaction per organisation;
// when one fails other than by a retry, its pushes are filed again one
// to a transaction, so that a failing push fails alone.
func (s *Store) commitGroup(ops []*push) []error {
	errs := make([]error, len(ops))
	byOrg := map[string][]int{}
	var orgs []string
	for i, p := range ops {
		if _, ok := byOrg[p.org]; !ok {
			orgs = append(orgs, p.org)
		}
		byOrg[p.org] = append(byOrg[p.org], i)
	}
	for _, org := range orgs {
		idx := byOrg[org]
		group := make([]*push, len(idx))
		for k, i := range idx {
			group[k] = ops[i]
		}
		refused, err := s.fileGroup(org, group)
		for k, i := range idx {
			switch {
			case err == nil:
				errs[i] = refused[k]
			case len(idx) == 1:
				errs[i] = err
			default:
				one, err := s.fileGroup(org, group[k:k+1])
				if err == nil {
					err = one[0]
				}
				errs[i] = err
			}
		}
	}
	return errs
}

// fileGroup files an organisation's pushes in one transaction, retried
// as the database asks. The group is filed whatever becomes of the call
// that leads it, within a bound of its own.
func (s *Store) fileGroup(org string, group []*push) ([]error, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(group[0].ctx), groupTimeout)
	defer cancel()
	var refused []error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		refused, err = fileIn(ctx, tx, org, group)
		return err
	})
	return refused, err
}

// groupDevice is what a group's transaction knows of a pushing device.
type groupDevice struct {
	revoked bool
	lastSeq uint64
}

// groupAck is a stored acknowledgement as a group's transaction sees it:
// sum is the digest of its batch's envelope, nil when the log lost it.
type groupAck struct {
	last, seq uint64
	sum       *[sha256.Size]byte
}

// ackKey names an acknowledgement: a device and a first sequence.
type ackKey struct {
	device string
	first  uint64
}

// fileIn files an organisation's pushes in tx and sets each one's
// result: it returns one refusal (or nil) per push, and an error when
// the transaction must not commit.
func fileIn(ctx context.Context, tx pgx.Tx, org string, ops []*push) ([]error, error) {
	o, err := lockOrg(ctx, tx, org)
	if err != nil {
		return nil, err
	}
	refused := make([]error, len(ops))
	fresh, err := recordNonces(ctx, tx, org, ops)
	if err != nil {
		return nil, err
	}
	devices, acks, err := readGroup(ctx, tx, org, ops)
	if err != nil {
		return nil, err
	}
	var (
		bDevice                    []string
		bSeq, bFirst, bLast, bEpch []int64
		bEnv                       [][]byte
		aDevice                    []string
		aFirst, aLast, aSeq        []int64
	)
	last := map[string]uint64{}
	file := func(p *push, seq uint64) {
		bDevice = append(bDevice, p.b.Device)
		bSeq = append(bSeq, int64(seq))
		bFirst = append(bFirst, int64(p.b.First))
		bLast = append(bLast, int64(p.b.Last))
		bEpch = append(bEpch, int64(p.b.Epoch))
		bEnv = append(bEnv, nonNil(p.b.Envelope))
	}
	for i, p := range ops {
		p.seq, p.dup = 0, false
		if p.nonce != nil {
			k := nonceOf(p.nonce.Device, p.nonce.Nonce)
			if !fresh[k] {
				refused[i] = server.ErrReplayed
				continue
			}
			// A second push of the group with that nonce is a replay.
			delete(fresh, k)
		}
		b := p.b
		d, ok := devices[b.Device]
		switch {
		case !ok:
			refused[i] = fmt.Errorf("%w: %s", server.ErrUnknownDevice, b.Device)
			continue
		case d.revoked:
			refused[i] = fmt.Errorf("%w: %s", server.ErrRevoked, b.Device)
			continue
		}
		if a, ok := acks[ackKey{b.Device, b.First}]; ok {
			conflict := fmt.Errorf("%w: device %s stored another batch %d..%d, this one is %d..%d",
				server.ErrSeqConflict, b.Device, b.First, a.last, b.First, b.Last)
			switch {
			case a.last != b.Last:
				refused[i] = conflict
			case a.sum == nil:
				file(p, a.seq)
				a.sum = &p.sum
				p.seq, p.dup = a.seq, true
			case *a.sum != p.sum:
				refused[i] = conflict
			default:
				p.seq, p.dup = a.seq, true
			}
			continue
		}
		switch {
		case b.First <= d.lastSeq:
			refused[i] = fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
				server.ErrSeqConflict, b.Device, d.lastSeq, b.First)
			continue
		case b.First > d.lastSeq+1:
			refused[i] = fmt.Errorf("%w: device %s has batches through %d, this one starts at %d",
				server.ErrSeqGap, b.Device, d.lastSeq, b.First)
			continue
		case b.Epoch < o.minEpoch:
			refused[i] = fmt.Errorf("%w: the batch is sealed under epoch %d, the organisation requires %d or later",
				server.ErrStaleEpoch, b.Epoch, o.minEpoch)
			continue
		}
		o.head++
		p.seq = o.head
		file(p, p.seq)
		aDevice = append(aDevice, b.Device)
		aFirst = append(aFirst, int64(b.First))
		aLast = append(aLast, int64(b.Last))
		aSeq = append(aSeq, int64(p.seq))
		acks[ackKey{b.Device, b.First}] = &groupAck{last: b.Last, seq: p.seq, sum: &p.sum}
		d.lastSeq = b.Last
		last[b.Device] = b.Last
	}
	if len(bSeq) == 0 {
		return refused, nil
	}
	lDevice := make([]string, 0, len(last))
	lSeq := make([]int64, 0, len(last))
	for _, dev := range slices.Sorted(maps.Keys(last)) {
		lDevice = append(lDevice, dev)
		lSeq = append(lSeq, int64(last[dev]))
	}
	// One round trip for the writes.
	w := &pgx.Batch{}
	w.Queue(`INSERT INTO batches (org, seq, device, first, last, epoch, envelope)
		SELECT $1, v.seq, v.device, v.first, v.last, v.epoch, v.envelope
		FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bytea[]) AS v(seq, device, first, last, epoch, envelope)`,
		org, bSeq, bDevice, bFirst, bLast, bEpch, bEnv)
	if len(aSeq) > 0 {
		w.Queue(`INSERT INTO acks (org, device, first, last, seq)
			SELECT $1, v.device, v.first, v.last, v.seq
			FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(device, first, last, seq)`,
			org, aDevice, aFirst, aLast, aSeq)
		w.Queue(`UPDATE devices d SET last_seq = v.last
			FROM unnest($2::text[], $3::bigint[]) AS v(id, last)
			WHERE d.org = $1 AND d.id = v.id`, org, lDevice, lSeq)
		w.Queue(`UPDATE orgs SET head = $2 WHERE id = $1`, org, int64(o.head))
	}
	if err := tx.SendBatch(ctx, w).Close(); err != nil {
		return nil, failed(fmt.Sprintf("filing %d batches", len(bSeq)), err)
	}
	return refused, nil
}

// recordNonces records, in tx after lockOrg, the request nonces of a
// group's pushes, and returns those that were not recorded before.
func recordNonces(ctx context.Context, tx pgx.Tx, org string, ops []*push) (map[string]bool, error) {
	var (
		devs   []string
		nonces [][]byte
		at     []time.Time
	)
	for _, p := range ops {
		if p.nonce != nil {
			devs = append(devs, p.nonce.Device)
			nonces = append(nonces, nonNil(p.nonce.Nonce))
			at = append(at, p.nonce.At)
		}
	}
	fresh := map[string]bool{}
	if len(devs) == 0 {
		return fresh, nil
	}
	rows, err := tx.Query(ctx, `INSERT INTO nonces (org, device, nonce, received)
		SELECT $1, v.device, v.nonce, v.received
		FROM unnest($2::text[], $3::bytea[], $4::timestamptz[]) AS v(device, nonce, received)
		ON CONFLICT (org, device, nonce) DO NOTHING
		RETURNING device, nonce`, org, devs, nonces, at)
	if err != nil {
		return nil, failed("recording request nonces", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			dev   string
			nonce []byte
		)
		if err := rows.Scan(&dev, &nonce); err != nil {
			return nil, failed("recording request nonces", err)
		}
		fresh[nonceOf(dev, nonce)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, failed("recording request nonces", err)
	}
	return fresh, nil
}

// nonceOf is a map key for a device's nonce.
func nonceOf(device string, nonce []byte) string {
	return fmt.Sprintf("%d:%s%s", len(device), device, nonce)
}

// readGroup reads, in tx after lockOrg, the pushing devices of a group and
// the acknowledgements of stored batches that start where one of its
// batches does.
func readGroup(ctx context.Context, tx pgx.Tx, org string, ops []*push) (map[string]*groupDevice, map[ackKey]*groupAck, error) {
	var ids []string
	seen := map[string]bool{}
	firsts := make([]int64, len(ops))
	devs := make([]string, len(ops))
	for i, p := range ops {
		if !seen[p.b.Device] {
			seen[p.b.Device] = true
			ids = append(ids, p.b.Device)
		}
		devs[i], firsts[i] = p.b.Device, int64(p.b.First)
	}
	devices := map[string]*groupDevice{}
	rows, err := tx.Query(ctx, `SELECT id, revoked_at IS NOT NULL, last_seq FROM devices WHERE org = $1 AND id = ANY($2::text[])`, org, ids)
	if err != nil {
		return nil, nil, failed("reading the pushing devices", err)
	}
	for rows.Next() {
		var (
			id   string
			d    groupDevice
			last int64
		)
		if err := rows.Scan(&id, &d.revoked, &last); err != nil {
			rows.Close()
			return nil, nil, failed("reading the pushing devices", err)
		}
		d.lastSeq = uint64(last)
		devices[id] = &d
	}
	if err := rows.Err(); err != nil {
		return nil, nil, failed("reading the pushing devices", err)
	}
	acks := map[ackKey]*groupAck{}
	rows, err = tx.Query(ctx, `SELECT a.device, a.first, a.last, a.seq, sha256(bt.envelope)
		FROM acks a
		JOIN (SELECT DISTINCT * FROM unnest($2::text[], $3::bigint[]) AS v(device, first)) v ON a.device = v.device AND a.first = v.first
		LEFT JOIN batches bt ON bt.org = a.org AND bt.seq = a.seq
		WHERE a.org = $1`, org, devs, firsts)
	if err != nil {
		return nil, nil, failed("reading acknowledgements", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k                ackKey
			first, last, seq int64
			sum              []byte
		)
		if err := rows.Scan(&k.device, &first, &last, &seq, &sum); err != nil {
			return nil, nil, failed("reading acknowledgements", err)
		}
		k.first = uint64(first)
		a := &groupAck{last: uint64(last), seq: uint64(seq)}
		if sum != nil {
			if len(sum) != sha256.Size {
				return nil, nil, fmt.Errorf("pgstore: a digest of %d bytes", len(sum))
			}
			a.sum = (*[sha256.Size]byte)(sum)
		}
		acks[k] = a
	}
	if err := rows.Err(); err != nil {
		return nil, nil, failed("reading acknowledgements", err)
	}
	return devices, acks, nil
}
