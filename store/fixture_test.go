package store

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"medisecure/core"
)

// writeFixture makes TestWriteSchemaFixture write the store fixture of the
// current SchemaVersion. Run it once per schema version, with the code of
// that version, before the schema changes, and commit the file:
//
//	go test ./store -run TestWriteSchemaFixture -write-fixture
//
// TestOpenEveryEarlierSchema then opens every fixture with today's code.
var writeFixture = flag.Bool("write-fixture", false, "write testdata/schema-vN.db for the current SchemaVersion")

// fixturePath is where the fixture of schema version v lives.
func fixturePath(v int) string { return filepath.Join("testdata", fmt.Sprintf("schema-v%d.db", v)) }

// The fixture's contents, as every schema version's fixture holds them.
// Users and passphrases are those of newFixture; the clock stood at
// Thursday 26 Nov 2026 08:00 UTC.
var fixtureVisits = []string{"2026-11-26 15:00", "2026-12-03 10:00"}

const (
	fixtureAnn    = "Ann Smith"
	fixtureOBrien = "Seán O'Brien"
	fixtureCruz   = "Maria de la Cruz"
	fixtureNote   = "headache for three days"
)

func TestWriteSchemaFixture(t *testing.T) {
	if !*writeFixture {
		t.Skip("writes testdata only when run with -write-fixture")
	}
	f := newFixture(t)
	ann := f.patient(t, fixtureAnn, "1990-01-02", "+49 30 1234567")
	f.patient(t, fixtureOBrien, "1975-06-15", "")
	f.patient(t, fixtureCruz, "1988-09-09", "")
	for _, at := range fixtureVisits {
		book(t, f, ann.ID, "drwho", at, 15, "Room 1")
	}
	must(t, f.doctor.Add(&core.Note{PatientID: ann.ID, Author: "drwho", Subjective: fixtureNote}))
	f.close(t)
	b, err := os.ReadFile(f.path)
	must(t, err)
	must(t, os.WriteFile(fixturePath(SchemaVersion), b, 0o600))
}
