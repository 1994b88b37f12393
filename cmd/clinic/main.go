// Command clinic is the MediSecure workstation: the terminal UI for the front
// desk and clinicians (the default), and scriptable commands to set up a
// store, manage users, patients and appointments, seed a demo clinic,
// export, and verify the access log.
//
// Exit codes: 0 ok, 1 usage, 2 authentication or permission, 3 validation
// or scheduling conflict, 4 store or sync problem.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newEnv())
	stop()
	os.Exit(code)
}
