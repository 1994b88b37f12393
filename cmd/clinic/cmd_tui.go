package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/cmd/clinic/internal/notify"
	"medisecure/cmd/internal/deskapp"
	"medisecure/store"
	"medisecure/store/seed"
	"medisecure/sync/client"
	"medisecure/tui"
)

// cmdTUI opens the terminal UI on the store in --data.
func cmdTUI(ctx context.Context, e *env, c *common) error {
	db, err := e.openDB(c)
	if err != nil {
		return err
	}
	defer db.Close()
	return runTUI(ctx, e, db, "")
}

// runTUI runs the Bubble Tea program until the user quits.
func runTUI(ctx context.Context, e *env, db *store.DB, hint string) error {
	if !e.isTTY {
		return usagef("the terminal UI needs a terminal; use the subcommands in scripts (clinic help)")
	}
	// Once someone logs in, the workstation syncs in the background with
	// the server it last synced with (none until `clinic sync` is run).
	syncer := deskapp.NewSyncer(ctx, client.DialOptions{}, 0)
	defer syncer.Close()
	sender := notify.NewLoop(ctx, 0, notify.Options{}, nil) // send-due, on the sending device only
	defer sender.Close()
	m := tui.New(deskapp.Backend{DB: db, Sync: syncer, OnLogin: sender.Start, LocalFiles: true}, tui.Options{Now: e.now, DemoHint: hint, NoColor: e.getenv("NO_COLOR") != ""})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("the terminal UI stopped: %w", err)
	}
	return nil
}

// Demo clinic settings: fixed so the login screen can show them.
const (
	demoAdminPass = "demo-admin-2026"
	demoPass      = "demo-pass-2026"
)

// cmdDemo opens the TUI on a demo clinic, creating and seeding it first
// when the data directory holds no store yet.
func cmdDemo(ctx context.Context, e *env, c *common) error {
	if c.data == "" {
		c.data = filepath.Join(e.dataDir(), "demo")
	}
	path := e.storePath(c)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.stderr, "creating the demo clinic in %s…\n", c.data)
		if err := createDemo(e, path); err != nil {
			return err
		}
	}
	db, err := e.openDB(c)
	if err != nil {
		return err
	}
	defer db.Close()
	return runTUI(ctx, e, db, demoHint())
}

// createDemo makes and seeds the demo store.
func createDemo(e *env, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: cannot create %s: %v", store.ErrNotStore, filepath.Dir(path), err)
	}
	opts := e.opts
	opts.Now = e.now
	err := store.Create(path, store.InitOptions{Org: "Harbour Street Clinic (demo)", Zone: "Europe/Berlin", Admin: "admin", Passphrase: demoAdminPass}, opts)
	if err != nil {
		return err
	}
	db, err := store.Open(path, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	admin, err := db.Login("admin", demoAdminPass)
	if err != nil {
		return err
	}
	_, err = seed.Run(admin, seed.Options{Patients: 400, Days: 21, Doctors: 4, Seed: 1, Now: e.now(), Passphrase: demoPass, Clinical: true, OnCall: true})
	if err == nil {
		err = seedDocuments(db, e.now())
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// demoHint is what the demo's login screen shows.
func demoHint() string {
	var doctors []string
	for i := 0; i < 4; i++ {
		doctors = append(doctors, seed.DoctorName(i))
	}
	return fmt.Sprintf("Demo clinic. Passphrase for every user: %s\nReception: desk   Nurse: nurse   Billing: billing\nDoctors: %s   Admin: admin (%s)",
		demoPass, strings.Join(doctors, ", "), demoAdminPass)
}
