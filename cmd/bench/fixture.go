package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"medisecure/store"
	"medisecure/store/seed"
)

// benchPass is every fixture user's passphrase.
const benchPass = "bench-pass-1"

// fixedNow is the clinic's "now" in every fixture, so fixtures are
// reproducible and kept between runs.
var fixedNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// fixture returns a store with the given numbers of patients and
// appointments and doctors, built on first use and kept in dir. Its name
// carries the schema it was built with: a newer program builds its own
// instead of migrating, in place, a fixture an older one still reads.
func fixture(dir string, patients, appts, doctors int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("clinic-%dp-%da-%dd-v%d.db", patients, appts, doctors, store.SchemaVersion))
	return buildFixture(path, func(db *store.DB, admin *store.Session) error {
		fmt.Fprintf(os.Stderr, "bench: building a fixture of %d patients and %d appointments in %s (once)…\n", patients, appts, dir)
		perDay := doctors * 12
		_, err := seed.Run(admin, seed.Options{
			Patients: patients, Days: appts/perDay*7/5 + 7, Doctors: doctors, Seed: 1, Now: fixedNow,
			Passphrase: benchPass, MaxAppointments: appts,
		})
		return err
	})
}

// buildFixture returns path when it exists; otherwise it creates a store
// there (with fsync off, which only speeds up the build), lets fill write
// it as the admin, and moves it into place only once complete, so a run
// cut short never leaves half a fixture.
func buildFixture(path string, fill func(db *store.DB, admin *store.Session) error) (string, error) {
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".building"
	os.Remove(tmp)
	opts := store.Options{Now: func() time.Time { return fixedNow }, NoSync: true}
	if err := store.Create(tmp, store.InitOptions{Org: "Bench Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: benchPass}, opts); err != nil {
		return "", err
	}
	db, err := store.Open(tmp, opts)
	if err != nil {
		return "", err
	}
	defer db.Close()
	admin, err := db.Login("admin", benchPass)
	if err != nil {
		return "", err
	}
	if err := fill(db, admin); err != nil {
		return "", err
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
