package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"medisecure/core"
)

// Exit codes, as the package doc and README list them; core's error
// classes decide which one an error gets.
const (
	exitOK         = 0
	exitUsage      = 1
	exitAuth       = 2
	exitValidation = 3
	exitStore      = 4
)

// usageError marks a mistake in the command line itself, of
// core.ClassUsage (exit 1).
type usageError struct{ err error }

func (u usageError) Error() string          { return u.err.Error() }
func (u usageError) Unwrap() error          { return u.err }
func (u usageError) ErrorClass() core.Class { return core.ClassUsage }

// usageErr wraps err as a usage mistake (exit 1).
func usageErr(err error) error { return usageError{err} }

// usagef is usageErr with a formatted message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// loginError is a failed login, which the sentence names the user of.
type loginError struct {
	user string
	err  error
}

func (l loginError) Error() string { return l.err.Error() }
func (l loginError) Unwrap() error { return l.err }

// exitCode is the exit code core's error table gives err.
func exitCode(err error) int {
	_, code := core.Describe(err, nil)
	return code
}

// message is the one sentence a user reads, from core's error table with
// times in the clinic's zone; a wrong passphrase names the user it was
// tried for. After "clinic: " it reads as command-line tools' messages
// do: in lower case (unless its first word is an initialism) and without
// the full stop.
func (e *env) message(err error) string {
	msg, _ := core.Describe(err, e.zone())
	var l loginError
	if errors.As(err, &l) && errors.Is(err, core.ErrAuth) {
		msg = core.Sentence(core.SafeText("wrong user or passphrase for " + l.user))
	}
	r, n := utf8.DecodeRuneInString(msg)
	if next, _ := utf8.DecodeRuneInString(msg[n:]); unicode.IsLower(next) {
		msg = string(unicode.ToLower(r)) + msg[n:]
	}
	return strings.TrimSuffix(msg, ".")
}

// strip drops the package prefixes ("core: ", "store: ") a user need not
// see from an error's text quoted inside a usage message.
func strip(s string) string { return core.StripPrefixes(s) }
