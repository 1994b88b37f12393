// Package pgstore is a sync server Backend in PostgreSQL, for an
// organisation that outgrows one bbolt file on one machine: several syncd
// processes may serve one database at once, and the same schema runs on
// PostgreSQL-compatible distributed SQL (CockroachDB, YugabyteDB).
//
// It keeps what the server is given (ciphertext, public keys, sequences)
// and nothing a single process would have to hold for the others: every
// rule of the Backend contract (contiguous per-device sequences, the
// idempotent acknowledgement, server sequences 1, 2, 3 … in commit order,
// one taker per invitation) is kept by the database, in transactions that
// take the organisation's row first and retry on serialization failures.
// The schema is a list of numbered SQL migrations embedded in the binary
// and applied at Open (migrate.go); docs/operations.md says which
// database features it relies on and why.
//
// It may import the server package, pgx and the standard library; never
// core, store, tui or another backend.
package pgstore
