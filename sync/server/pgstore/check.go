package pgstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"medisecure/sync/server"
)

// Report is what Check found in a database.
type Report struct {
	// Orgs is one entry per organisation, in ID order.
	Orgs []OrgReport
}

// OrgReport is what Check found in one organisation.
type OrgReport struct {
	ID       string
	Devices  int
	Batches  int
	Problems []string
}

// OK reports whether nothing was found damaged.
func (r Report) OK() bool {
	for _, o := range r.Orgs {
		if len(o.Problems) > 0 {
			return false
		}
	}
	return true
}

// maxProblems is how many problems Check lists per organisation.
const maxProblems = 20

// VerifyFunc checks one stored batch against the device that pushed it
// (its signature, say); Check reports what it returns.
type VerifyFunc func(org string, dev server.Device, b server.Stored) error

// Check reads every organisation's devices, batches (checked by verify
// when it is not nil) and acknowledgements and reports what does not fit:
// a batch of an unknown device or beyond its device's last sequence, one
// above the log's head, one that does not verify, an acknowledgement
// whose batch is missing or holds other sequences. It reads one snapshot
// of the database, so it may run while syncd serves. It returns an error
// only when the database cannot be read.
func (s *Store) Check(ctx context.Context, verify VerifyFunc) (Report, error) {
	var r Report
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		r = Report{}
		ids, err := column[string](ctx, tx, `SELECT id FROM orgs`)
		if err != nil {
			return err
		}
		slices.Sort(ids)
		for _, id := range ids {
			o := OrgReport{ID: id}
			if err := checkOrg(ctx, tx, &o, verify); err != nil {
				return err
			}
			r.Orgs = append(r.Orgs, o)
		}
		return nil
	})
	if err != nil {
		return Report{}, failed("checking "+s.where, err)
	}
	return r, nil
}

// checkOrg reads one organisation's records into o.
func checkOrg(ctx context.Context, tx pgx.Tx, o *OrgReport, verify VerifyFunc) error {
	var head int64
	if err := tx.QueryRow(ctx, `SELECT head FROM orgs WHERE id = $1`, o.ID).Scan(&head); err != nil {
		return err
	}
	devices := map[string]server.Device{}
	devs, err := devicesIn(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	for _, d := range devs {
		devices[d.ID] = d
	}
	o.Devices = len(devices)
	stored := map[uint64]server.Batch{}
	rows, err := tx.Query(ctx, `SELECT seq, device, first, last, epoch, envelope FROM batches WHERE org = $1 ORDER BY seq`, o.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return err
		}
		o.Batches++
		envelope := st.Envelope
		st.Envelope = nil
		stored[st.Seq] = st.Batch
		d, ok := devices[st.Device]
		switch {
		case st.Seq > uint64(head):
			o.problem("batch %d: above the head of the log, %d", st.Seq, head)
		case !ok:
			o.problem("batch %d: from device %q, which is not registered", st.Seq, st.Device)
		case st.Last > d.LastSeq:
			o.problem("batch %d: device %s's sequences run to %d, beyond the %d it is recorded with", st.Seq, d.ID, st.Last, d.LastSeq)
		case verify != nil:
			st.Envelope = envelope
			if err := verify(o.ID, d, st); err != nil {
				o.problem("batch %d: %v", st.Seq, err)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return checkAcks(ctx, tx, o, stored)
}

// checkAcks checks that every acknowledgement names a stored batch of its
// device with its sequences.
func checkAcks(ctx context.Context, tx pgx.Tx, o *OrgReport, stored map[uint64]server.Batch) error {
	rows, err := tx.Query(ctx, `SELECT device, first, last, seq FROM acks WHERE org = $1 ORDER BY device, first`, o.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			dev              string
			first, last, seq int64
		)
		if err := rows.Scan(&dev, &first, &last, &seq); err != nil {
			return err
		}
		b, ok := stored[uint64(seq)]
		switch {
		case !ok:
			o.problem("batch %d (device %s's %d..%d) is missing from the log", seq, dev, first, last)
		case b.Device != dev || b.First != uint64(first) || b.Last != uint64(last):
			o.problem("acknowledgement of device %s's %d..%d names batch %d, which does not hold them", dev, first, last, seq)
		}
	}
	return rows.Err()
}

// problem adds a problem to the report, counting those beyond maxProblems.
func (o *OrgReport) problem(format string, a ...any) {
	if len(o.Problems) == maxProblems {
		o.Problems[maxProblems-1] = "and more"
		return
	}
	o.Problems = append(o.Problems, fmt.Sprintf(format, a...))
}

// column reads the one column a query returns.
func column[T any](ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}
