package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"medisecure/sync/envelope"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/server/pgstore"
)

// errDamaged is what check returns when it found damage (exit 4).
var errDamaged = errors.New("the data file is damaged")

// check is `syncd check --data DIR` (or `--backend postgres --dsn DSN`):
// it reads every record of the data file or database, verifies every
// batch's signature with its device's key, checks every page header of a
// bbolt file, and prints one line per organisation. It returns a
// storageError when anything is damaged.
func check(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("syncd check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := &config{}
	fs.StringVar(&cfg.backend, "backend", backendBolt, "`bolt` or postgres")
	fs.StringVar(&cfg.data, "data", "", "`directory` of the server's data file")
	fs.StringVar(&cfg.dsn, "dsn", "", "PostgreSQL connection `string` (default $"+dsnEnv+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: syncd check --data DIR   (with syncd stopped, or on a copy of the directory)")
			fmt.Fprintln(stdout, "       syncd check --backend postgres --dsn postgres://USER@HOST:PORT/DATABASE   (syncd may be running)")
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; see syncd check --help", fs.Arg(0))
	}
	if cfg.backend == backendBolt && cfg.data == "" {
		return usagef("--data is required: the directory of the server's data file")
	}
	if err := cfg.checkBackend(); err != nil {
		return err
	}
	where, r, err := cfg.check(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "syncd check: %s\n", where)
	for _, p := range r.File {
		fmt.Fprintf(stdout, "file: DAMAGED: %s\n", message(errors.New(p)))
	}
	damaged := 0
	for _, o := range r.Orgs {
		if len(o.Problems) == 0 {
			fmt.Fprintf(stdout, "organisation %s: ok (%d devices, %d batches)\n", o.ID, o.Devices, o.Batches)
			continue
		}
		damaged++
		fmt.Fprintf(stdout, "organisation %s: DAMAGED (%d devices, %d batches read)\n", o.ID, o.Devices, o.Batches)
		for _, p := range o.Problems {
			fmt.Fprintf(stdout, "  %s\n", message(errors.New(p)))
		}
	}
	if r.OK() {
		fmt.Fprintf(stdout, "syncd check: ok, %d organisations\n", len(r.Orgs))
		return nil
	}
	return storageError{fmt.Errorf("%w: %d of %d organisations damaged%s; %s (docs/operations.md)",
		errDamaged, damaged, len(r.Orgs), fileNote(r), cfg.restoreAdvice())}
}

// check runs the check of the backend the command line names and returns
// where it looked and what it found; a PostgreSQL report has no file
// part.
func (c *config) check(ctx context.Context) (string, boltstore.Report, error) {
	if c.backend == backendPostgres {
		pg, err := pgstore.Open(ctx, c.dsn)
		if err != nil {
			return "", boltstore.Report{}, storageError{fmt.Errorf("PostgreSQL: %w", err)}
		}
		defer pg.Close()
		r, err := pg.Check(ctx, verifyBatch)
		if err != nil {
			return "", boltstore.Report{}, storageError{fmt.Errorf("cannot check the database: %w", err)}
		}
		out := boltstore.Report{}
		for _, o := range r.Orgs {
			out.Orgs = append(out.Orgs, boltstore.OrgReport(o))
		}
		return "PostgreSQL " + pg.Where(), out, nil
	}
	path := filepath.Join(c.data, dataFile)
	r, err := boltstore.Check(path, verifyBatch)
	if err != nil {
		return "", boltstore.Report{}, storageError{fmt.Errorf("cannot check the data file: %w", err)}
	}
	return path, r, nil
}

// restoreAdvice says what to restore from a backup.
func (c *config) restoreAdvice() string {
	if c.backend == backendPostgres {
		return "restore the database from a backup"
	}
	return "restore the file from a backup"
}

// fileNote says when the file as a whole is damaged too.
func fileNote(r boltstore.Report) string {
	if len(r.File) > 0 {
		return ", and the file's structure"
	}
	return ""
}

// verifyBatch checks a stored batch's envelope: it decodes, says what the
// log says it is, and carries its device's signature.
func verifyBatch(org string, dev server.Device, s server.Stored) error {
	b, err := envelope.Unmarshal(s.Envelope)
	if err != nil {
		return err
	}
	if b.Org != org || b.Device != s.Device || b.First != s.First || b.Last != s.Last || b.Epoch != s.Epoch {
		return fmt.Errorf("the envelope says %s/%s %d..%d epoch %d, the log %s/%s %d..%d epoch %d",
			b.Org, b.Device, b.First, b.Last, b.Epoch, org, s.Device, s.First, s.Last, s.Epoch)
	}
	return envelope.Verify(b, dev.PublicKey)
}
