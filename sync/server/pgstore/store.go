package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jackc/pgx/v5/pgxpool"

	"medisecure/sync/server"
	"medisecure/sync/server/internal/group"
)

// Store is a Backend in a PostgreSQL database. It is safe for concurrent
// use, and any number of Stores, in any number of processes, may share one
// database.
type Store struct {
	pool *pgxpool.Pool
	// where names the database for messages: host, port and database,
	// never the password.
	where string
	// pruned paces the forgetting of expired nonces (nonces.go).
	pruned pacer
	// group commits pushes together (group.go).
	group *group.Committer[*push]
}

var (
	_ server.Backend        = (*Store)(nil)
	_ server.InviteStore    = (*Store)(nil)
	_ server.NoncedAppender = (*Store)(nil)
	_ server.Follower       = (*Store)(nil)
)

// DefaultMaxConns is how many connections a Store opens at most when the
// connection string names no pool_max_conns.
const DefaultMaxConns = 16

var (
	// ErrBadDSN is returned by Open for a connection string it cannot
	// parse.
	ErrBadDSN = errors.New("pgstore: not a PostgreSQL connection string")
	// ErrUnreachable is returned by Open when the database cannot be
	// reached or refuses the login.
	ErrUnreachable = errors.New("pgstore: cannot reach the database")
	// ErrNewerSchema is returned by Open for a database a newer version
	// of syncd migrated.
	ErrNewerSchema = errors.New("pgstore: database schema from a newer version")
)

// Open connects to the database that dsn names (a postgres:// URL or
// key=value pairs, as libpq reads them), applies the migrations it has
// not had yet, and returns the Store. It returns ErrBadDSN,
// ErrUnreachable, ErrNewerSchema, or an error naming the migration that
// failed.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the string, password included.
		return nil, fmt.Errorf("%w: give postgres://USER@HOST:PORT/DATABASE", ErrBadDSN)
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgx's default, one connection per core and at least four,
		// leaves a server's calls queueing for a connection while the
		// database idles: every push reads its device and organisation
		// beside its group's transaction.
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrUnreachable, where, reason(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w %s: %s", ErrUnreachable, where, reason(err))
	}
	s := &Store{pool: pool, where: where}
	s.group = s.newCommitter()
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// reason is the line of a connection error an operator needs: the
// database's message, or the network's, without pgx's list of every
// address it tried.
func reason(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "cannot look up " + dns.Name
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// Close closes the Store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Where names the database the Store is in (host:port/database), for
// operators; it never holds the password.
func (s *Store) Where() string { return s.where }
