package main

import (
	"context"
	"errors"
)

// cmdTUI opens the terminal UI.
func cmdTUI(_ context.Context, e *env, args []string) error {
	return errors.New("the terminal UI is not built yet")
}

// cmdDemo creates the demo clinic and opens the TUI on it.
func cmdDemo(ctx context.Context, e *env, args []string) error {
	return cmdTUI(ctx, e, args)
}
