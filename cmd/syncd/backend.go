package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/server/pgstore"
)

// store is the open backend syncd serves, and where it is, for the
// operator.
type store struct {
	server.Backend
	where string
	close func() error
}

// Close closes the backend.
func (s *store) Close() error { return s.close() }

// checkBackend checks the flags of the backend the command line names.
func (c *config) checkBackend() error {
	switch c.backend {
	case backendBolt:
		if c.dsn != "" {
			return usagef("--dsn is for --backend postgres; the bbolt backend keeps its file in --data")
		}
		if c.data == "" {
			return usagef("--data is required: the directory for the server's data file")
		}
	case backendPostgres:
		if c.data != "" {
			return usagef("--data is for the bbolt backend; with --backend postgres the data is in the database --dsn names")
		}
		if c.dsn == "" {
			c.dsn = os.Getenv(dsnEnv)
		}
		if c.dsn == "" {
			return usagef("--backend postgres needs --dsn postgres://USER@HOST:PORT/DATABASE (or $%s)", dsnEnv)
		}
	default:
		return usagef("--backend %q is neither %s nor %s", c.backend, backendBolt, backendPostgres)
	}
	return nil
}

// open opens the backend the command line names: the bbolt file in
// --data (created), or the PostgreSQL database of --dsn (migrated).
func (c *config) open(ctx context.Context) (*store, error) {
	if c.backend == backendPostgres {
		pg, err := pgstore.Open(ctx, c.dsn)
		if err != nil {
			return nil, storageError{fmt.Errorf("PostgreSQL: %w", err)}
		}
		return &store{Backend: pg, where: "PostgreSQL " + pg.Where(), close: pg.Close}, nil
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, storageError{fmt.Errorf("cannot create the data directory %s: %v", c.data, errors.Unwrap(err))}
	}
	bolt, err := boltstore.Open(filepath.Join(c.data, dataFile))
	if err != nil {
		return nil, storageError{fmt.Errorf("cannot open the data file: %w", err)}
	}
	return &store{Backend: bolt, where: bolt.Path(), close: bolt.Close}, nil
}
