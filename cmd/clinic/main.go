// Command clinic is the MediSecure workstation: the terminal UI for the front
// desk and clinicians (the default), and scriptable commands to set up a
// store, manage users, patients and appointments, seed a demo clinic,
// export, and verify the access log.
//
// Exit codes: 0 ok, 1 usage, 2 authentication or permission, 3 validation
// or scheduling conflict, 4 store problem.
package main

import (
	"context"
	"errors"
	"fmt"
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

// run executes one command line and returns its exit code. A panic (a bug,
// or bbolt meeting a damaged file) becomes one sentence, never a trace.
func run(ctx context.Context, args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(e.stderr, "clinic: internal error; the store was left as it was before this command")
			code = exitStore
		}
	}()
	err := dispatch(ctx, args, e)
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	fmt.Fprintln(e.stderr, "clinic: "+e.message(err))
	return exitCode(err)
}
