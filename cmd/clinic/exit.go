package main

import (
	"errors"
	"fmt"
	"regexp"

	"medisecure/core"
	"medisecure/store"
)

// Exit codes, as the package doc and README list them.
const (
	exitOK         = 0
	exitUsage      = 1
	exitAuth       = 2
	exitValidation = 3
	exitStore      = 4
)

// usageError marks a mistake in the command line itself.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usageErr wraps err as a usage mistake (exit 1).
func usageErr(err error) error { return usageError{err} }

// usagef is usageErr with a formatted message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitCode maps an error to the documented exit codes, in one table.
func exitCode(err error) int {
	var u usageError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, core.ErrAuth), errors.Is(err, core.ErrLocked), errors.Is(err, core.ErrDenied):
		return exitAuth
	case errors.Is(err, core.ErrInvalid), errors.Is(err, core.ErrClash), errors.Is(err, core.ErrTransition),
		errors.Is(err, store.ErrNoSchedule), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrUserExists),
		errors.Is(err, store.ErrAppendOnly), errors.Is(err, store.ErrNotInConflict), errors.Is(err, core.ErrBadID):
		return exitValidation
	}
	if c := core.ClassOf(err); c != core.ClassUnknown {
		return c.Exit()
	}
	return exitStore
}

// message turns an error into the one sentence a user reads.
func (e *env) message(err error) string {
	var clash *core.ClashError
	if errors.As(err, &clash) {
		msg := strip(clash.Error())
		if clash.HasNext {
			return msg + "; next free slot: " + clash.Next.In(e.zone()).Format("Mon 2 Jan 2006 15:04")
		}
		return msg + "; no free slot in the next 60 days"
	}
	if errors.Is(err, core.ErrAuth) {
		return "wrong user or passphrase"
	}
	return strip(err.Error())
}

// strip drops the package prefixes ("core: ", "store: ") a user need not
// see, wherever a wrapped error starts.
func strip(s string) string {
	return pkgPrefix.ReplaceAllString(s, "$1")
}

// pkgPrefix matches a package prefix at the start of a message or of a
// wrapped part of it.
var pkgPrefix = regexp.MustCompile(`(^|: )(store|core|seed|sync|client|invite): `)
