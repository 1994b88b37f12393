package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes the store acts on.
const (
	codeSerialization = "40001" // serialization_failure: retry
	codeDeadlock      = "40P01" // deadlock_detected: retry
	codeUnique        = "23505" // unique_violation
	codeForeignKey    = "23503" // foreign_key_violation
	codeDuplicateRel  = "42P07" // duplicate_table
	codeDuplicateObj  = "42710" // duplicate_object: a table's row type, made by a racing CREATE
)

// maxAttempts bounds how often a transaction is retried after a
// serialization failure or a deadlock; distributed SQL asks clients to
// retry those, and PostgreSQL raises them under contention too.
const maxAttempts = 8

// inTx runs fn in a transaction at the database's default isolation
// (READ COMMITTED on PostgreSQL, SERIALIZABLE on CockroachDB), retrying
// the whole of it when the database says it must be retried. Every
// transaction that changes an organisation's log or epoch locks the
// organisation's row first (lockOrg), so at either level they run one
// after another per organisation, and unique keys refuse whatever a
// mistake would let through. fn must not have effects outside the
// transaction: it may run more than once.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		// Jittered so that the transactions that collided do not
		// collide again.
		wait := time.Duration(rand.Int64N(int64(attempt) * int64(2*time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// retryable reports whether err asks for the transaction to be run
// again.
func retryable(err error) bool {
	return hasCode(err, codeSerialization) || hasCode(err, codeDeadlock)
}

// hasCode reports whether err is a database error with SQLSTATE code.
func hasCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// isNoRows reports whether err says a query found no row.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// failed wraps a database error with what was being done.
func failed(what string, err error) error {
	return fmt.Errorf("pgstore: %s: %w", what, err)
}
