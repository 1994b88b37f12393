package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrationFiles are the schema's numbered migrations, NNNN_name.sql,
// applied in order; a migration, once released, never changes.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// SchemaVersion is the schema this code reads and writes: its last
// migration's number.
var SchemaVersion = len(mustMigrations())

// schemaTable records the migrations applied, one row each. Its primary
// key is the lock: of several processes starting at once, the one whose
// row commits applies the migration, and the others find the row there.
const schemaTable = `CREATE TABLE IF NOT EXISTS syncd_schema (
    version BIGINT PRIMARY KEY,
    name    TEXT NOT NULL,
    applied TIMESTAMPTZ NOT NULL DEFAULT now()
)`

// migrations reads the embedded migrations, which must be numbered 1, 2,
// 3 … without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for i, path := range names { // fs.Glob returns them sorted
		base := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 || len(num) != 4 {
			return nil, fmt.Errorf("pgstore: migration %s is not numbered %04d_name.sql", path, i+1)
		}
		raw, err := migrationFiles.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(raw)})
	}
	return out, nil
}

func mustMigrations() []migration {
	m, err := migrations()
	if err != nil {
		panic(err)
	}
	return m
}

// migrate brings the database to SchemaVersion. Each migration runs in one
// transaction with the insert of its row in syncd_schema, so it is applied
// once however many processes start together: a second process's insert
// waits for the first's row and then finds it (ON CONFLICT DO NOTHING),
// with no advisory lock, which distributed SQL does not have. Migrations
// are written to be safe to run again (IF NOT EXISTS), as a database
// that cannot roll back DDL may have kept part of a failed one.
func (s *Store) migrate(ctx context.Context) error {
	if err := s.createSchemaTable(ctx); err != nil {
		return err
	}
	var have int
	if err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM syncd_schema`).Scan(&have); err != nil {
		return failed("reading the schema version", err)
	}
	if have > SchemaVersion {
		return fmt.Errorf("%w: the database %s has schema %d, this syncd knows up to %d; run the newer syncd",
			ErrNewerSchema, s.where, have, SchemaVersion)
	}
	for _, m := range mustMigrations()[have:] {
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `INSERT INTO syncd_schema (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`, m.version, m.name)
			if err != nil || tag.RowsAffected() == 0 {
				return err // another process applied it
			}
			_, err = tx.Exec(ctx, m.sql)
			return err
		})
		if err != nil {
			return failed(fmt.Sprintf("applying migration %d (%s) to %s", m.version, m.name, s.where), err)
		}
	}
	return nil
}

// createSchemaTable makes syncd_schema. PostgreSQL's CREATE TABLE IF NOT
// EXISTS can still fail on a unique key of its catalogue, or on the
// row type it makes (duplicate_object), when two
// processes run it at the same moment; the loser tries again and finds
// the table.
func (s *Store) createSchemaTable(ctx context.Context) error {
	var err error
	for range maxAttempts {
		if _, err = s.pool.Exec(ctx, schemaTable); err == nil ||
			!(hasCode(err, codeUnique) || hasCode(err, codeDuplicateRel) || hasCode(err, codeDuplicateObj) || retryable(err)) {
			break
		}
	}
	if err != nil {
		return failed("creating the schema table in "+s.where, err)
	}
	return nil
}
