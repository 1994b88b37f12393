package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"medisecure/sync/envelope"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// errDamaged is what check returns when it found damage (exit 4).
var errDamaged = errors.New("the data file is damaged")

// check is `syncd check --data DIR`: it reads every record of the data
// file, verifies every batch's signature with its device's key, checks
// every page header, and prints one line per organisation. It
// returns a storageError when anything is damaged.
func check(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("syncd check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "`directory` of the server's data file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: syncd check --data DIR   (with syncd stopped, or on a copy of the directory)")
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; see syncd check --help", fs.Arg(0))
	}
	if *data == "" {
		return usagef("--data is required: the directory of the server's data file")
	}
	path := filepath.Join(*data, dataFile)
	r, err := boltstore.Check(path, verifyBatch)
	if err != nil {
		return storageError{fmt.Errorf("cannot check the data file: %w", err)}
	}
	fmt.Fprintf(stdout, "syncd check: %s\n", path)
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
	return storageError{fmt.Errorf("%w: %d of %d organisations damaged%s; restore the file from a backup (docs/operations.md)",
		errDamaged, damaged, len(r.Orgs), fileNote(r))}
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
