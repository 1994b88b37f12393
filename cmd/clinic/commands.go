package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"medisecure/store"
)

// storePath is the store file inside the data directory.
func (e *env) storePath(c *common) string {
	dir := c.data
	if dir == "" {
		dir = e.dataDir()
	}
	return filepath.Join(dir, "clinic.db")
}

// withSession opens the store, logs the user in, runs fn and closes the
// store again: the one preamble of every command that reads or writes
// records.
func (a *app) withSession(fn func(db *store.DB, s *store.Session) error) error {
	e := a.e
	if e.host != nil {
		return a.hostedSession(fn)
	}
	user := a.c.user
	if user == "" {
		user = e.getenv("CLINIC_USER")
	}
	if user == "" {
		return usagef("no user: give --user USER or set CLINIC_USER")
	}
	db, err := e.openDB(&a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	pass, err := e.secret("CLINIC_PASSPHRASE", "passphrase for "+user+": ")
	if err != nil {
		return err
	}
	s, err := db.Login(user, pass)
	if err != nil {
		return loginError{user: user, err: err}
	}
	for _, r := range db.Repairs() {
		fmt.Fprintln(e.stderr, "note: "+r)
	}
	return fn(db, s)
}

// openDB opens the store file without logging in.
func (e *env) openDB(c *common) (*store.DB, error) {
	if e.host != nil {
		return nil, errNotOverSSH
	}
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
		return nil, servedElsewhere(path, err)
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
