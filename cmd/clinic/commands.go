package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"medisecure/store"
)

// command is one subcommand: its usage line, summary and body.
type command struct {
	name    string
	usage   string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand in the order help shows them.
func commands() []command {
	return []command{
		{"init", "init --data DIR --org NAME --admin USER [--zone ZONE]", "create a new store and its first admin", cmdInit},
		{"user", "user add --role ROLE USER | user list", "add or list staff (admins add)", cmdUser},
		{"patient", "patient add --name N --dob YYYY-MM-DD [--phone P] | patient find TEXT", "register or find patients", cmdPatient},
		{"appt", "appt book|list|cancel|status …", "book, list, cancel appointments and change their status", cmdAppt},
		{"seed", "seed --patients N --days D --seed S", "fill the store with a synthetic demo clinic", cmdSeed},
		{"sync", syncUsage, "push changes to the sync server, pull the others'; sync status", cmdSync},
		{"conflicts", "conflicts list | conflicts resolve ID --keep APPT_ID [--move-to TIME]", "list or resolve double bookings sync found", cmdConflicts},
		{"export", "export", "print every live record as JSON lines (admins)", cmdExport},
		{"audit", "audit verify | audit list [--patient ID]", "check or read the PHI access log (admins)", cmdAudit},
		{"demo", "demo [--data DIR]", "create the demo clinic if missing and open the TUI on it", cmdDemo},
		{"invite", inviteUsage, "make a one-time join code for a new workstation (admins)", cmdInvite},
		{"join", joinUsage, "make this machine a workstation of an organisation, from a join code", cmdJoin},
		{"device", deviceUsage, "list the organisation's devices, or revoke one (admins)", cmdDevice},
	}
}

// dispatch runs the subcommand named by args[0]; none opens the TUI.
func dispatch(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		return cmdTUI(ctx, e, args)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(e.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown command %q; run clinic help", args[0])
}

// printHelp lists the commands and the shared flags.
func printHelp(w io.Writer) {
	fmt.Fprintln(w, "clinic: the MediSecure workstation. With no command it opens the terminal UI.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Every command takes --data DIR (default $CLINIC_DATA or ~/.local/share/medisecure),
--user USER (or $CLINIC_USER) and reads the passphrase from a prompt, or from
$CLINIC_PASSPHRASE in scripts. Lists print as a table, or JSON with --json.
Run "clinic COMMAND --help" for a command's flags.

Exit codes: 0 ok, 1 usage, 2 authentication or permission, 3 validation or
scheduling conflict, 4 store problem.`)
}

// common are the flags every command that opens a store shares.
type common struct {
	data string
	user string
	json bool
}

// flags makes a flag set with the common flags; its errors are usage errors.
func (e *env) flags(name, usage string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: clinic %s\n", usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.data, "data", "", "data directory (default $CLINIC_DATA or ~/.local/share/medisecure)")
	fs.StringVar(&c.user, "user", "", "user to log in as (default $CLINIC_USER)")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	return fs
}

// parse parses flags; --help prints usage and ends the command with exit 0.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return usageErr(err)
	}
	return nil
}

// errHelpShown ends a command after --help.
var errHelpShown = errors.New("help shown")

// storePath is the store file inside the data directory.
func (e *env) storePath(c *common) string {
	dir := c.data
	if dir == "" {
		dir = e.dataDir()
	}
	return filepath.Join(dir, "clinic.db")
}

// open opens the store and logs the user in.
func (e *env) open(c *common) (*store.DB, *store.Session, error) {
	user := c.user
	if user == "" {
		user = e.getenv("CLINIC_USER")
	}
	if user == "" {
		return nil, nil, usagef("no user: give --user USER or set CLINIC_USER")
	}
	db, err := e.openDB(c)
	if err != nil {
		return nil, nil, err
	}
	pass, err := e.secret("CLINIC_PASSPHRASE", "passphrase for "+user+": ")
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	s, err := db.Login(user, pass)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

// openDB opens the store file without logging in.
func (e *env) openDB(c *common) (*store.DB, error) {
	path := e.storePath(c)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no store at %s; create one with clinic init --data %s", store.ErrNotStore, path, filepath.Dir(path))
	}
	opts := e.opts
	if opts.Now == nil {
		opts.Now = e.now
	}
	db, err := store.Open(path, opts)
	if err != nil {
		return nil, err
	}
	e.loc = db.Zone()
	return db, nil
}

// zone is the clinic's zone once a store is open, UTC before.
func (e *env) zone() *time.Location {
	if e.loc == nil {
		return time.UTC
	}
	return e.loc
}
