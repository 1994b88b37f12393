// Command syncd is the MediSecure central sync server: workstations push
// sealed, signed batches of changes to it and pull each other's. It stores
// ciphertext, in one bbolt file by default or in a PostgreSQL database
// that several syncd may serve at once, and can read none of it.
//
//	syncd --listen ADDR --data DIR [--register-token T] [--tls-cert F --tls-key F] [--insecure]
//	syncd --listen ADDR --backend postgres --dsn postgres://USER@HOST/DB [the same options]
//	syncd check --data DIR
//	syncd check --backend postgres --dsn postgres://USER@HOST/DB
//
// syncd check reads every record of a stopped server's data file (or of
// a copy), or of one snapshot of the database, verifies every batch's
// signature (and bbolt's page structure), and prints one line per
// organisation; it exits 4 when anything is damaged.
//
// The connection string may also come from SYNCD_DSN.
//
// The registration token may also come from SYNCD_REGISTER_TOKEN (better:
// a flag shows in the process list). Without TLS it listens only on a
// loopback address unless --insecure is given. SIGINT or SIGTERM stops it
// gracefully: pushes in flight finish first.
//
// Exit codes: 0 ok, 1 usage or configuration, 4 storage problem or damage.
//
// It may import the sync packages and the standard library; never tui or
// store.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "syncd: "+message(err))
		os.Exit(exitCode(err))
	}
}
