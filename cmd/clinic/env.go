package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"medisecure/store"
)

// env is what a command sees of the world: streams, variables, clock and the
// store options. Tests build one with fixed values.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	opts   store.Options
	// isTTY reports whether stdin is a terminal we can prompt on.
	isTTY bool
	// loc is the clinic zone of the open store.
	loc *time.Location
	// readSecret reads a passphrase without echo.
	readSecret func() (string, error)
	// host is set when the command came over SSH to clinic serve: it
	// runs on the served store as the terminal key's user (cmd_serve.go).
	host *hosted
}

// newEnv is the real process environment.
func newEnv() *env {
	fd := int(os.Stdin.Fd())
	return &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, now: time.Now, isTTY: term.IsTerminal(fd),
		readSecret: func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		},
	}
}

// dataDir is where the store lives when --data is not given:
// $CLINIC_DATA, else $XDG_DATA_HOME/medisecure, else ~/.local/share/medisecure.
func (e *env) dataDir() string {
	if d := e.getenv("CLINIC_DATA"); d != "" {
		return d
	}
	if d := e.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "medisecure")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "medisecure-data"
	}
	return filepath.Join(home, ".local", "share", "medisecure")
}

// errNoPassphrase is returned when no passphrase can be had.
var errNoPassphrase = errors.New("no passphrase: run in a terminal or set CLINIC_PASSPHRASE")

// secret returns the value of an environment variable, or asks for it
// without echo on a terminal.
func (e *env) secret(variable, prompt string) (string, error) {
	if v := e.getenv(variable); v != "" {
		return v, nil
	}
	if !e.isTTY {
		if variable == "CLINIC_PASSPHRASE" {
			return "", usageErr(errNoPassphrase)
		}
		return "", usageErr(errors.New("no passphrase: run in a terminal or set " + variable))
	}
	io.WriteString(e.stderr, prompt)
	s, err := e.readSecret()
	io.WriteString(e.stderr, "\n")
	if err != nil {
		return "", usageErr(errors.New("could not read the passphrase"))
	}
	return strings.TrimRight(s, "\r\n"), nil
}
