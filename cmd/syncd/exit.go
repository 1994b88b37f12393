package main

import (
	"errors"
	"fmt"
	"regexp"
)

// Exit codes, as the package doc lists them.
const (
	exitUsage   = 1
	exitStorage = 4
)

// usageError marks a mistake in the command line or the configuration it
// names (exit 1).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// storageError marks a problem with the data directory or file (exit 4).
type storageError struct{ err error }

func (s storageError) Error() string { return s.err.Error() }
func (s storageError) Unwrap() error { return s.err }

// exitCode maps an error to the documented exit codes.
func exitCode(err error) int {
	var s storageError
	if errors.As(err, &s) {
		return exitStorage
	}
	return exitUsage
}

// message is the one sentence an operator reads: package prefixes
// stripped, wherever a wrapped part starts.
func message(err error) string {
	return pkgPrefix.ReplaceAllString(err.Error(), "$1")
}

var pkgPrefix = regexp.MustCompile(`(^|: )(boltstore|pgstore|server|envelope|auth): `)
