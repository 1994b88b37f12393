package client_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"medisecure/store"
	"medisecure/store/seed"
)

// After a seeded clinic synced through the server, the server's data file
// holds none of its patients' names, phone numbers or note text.
func TestServerFileHoldsNoPHI(t *testing.T) {
	srv := startServer(t)
	wss := newOrgWith(t, 2, func(db *store.DB, admin *store.Session) {
		_, err := seed.Run(admin, seed.Options{
			Patients: 40, Days: 4, Doctors: 2, Seed: 5, Passphrase: deskPass, Clinical: true,
			Now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC),
		})
		must(t, err)
	})
	online(t, srv, wss)
	converge(t, wss)
	out := sameExports(t, wss)
	secrets := phi(t, out)
	if len(secrets) < 60 {
		t.Fatalf("only %d secrets found in the export", len(secrets))
	}
	srv.halt()
	raw, err := os.ReadFile(srv.path)
	must(t, err)
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the server's file holds %q", s)
		}
	}
}

// phi collects from an export the patients' names and phone numbers and
// the notes' text.
func phi(t *testing.T, export string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(export), "\n") {
		var rec struct {
			Kind string         `json:"kind"`
			Data map[string]any `json:"data"`
		}
		must(t, json.Unmarshal([]byte(line), &rec))
		var fields []string
		switch rec.Kind {
		case "patient":
			fields = []string{"name", "phone"}
		case "note":
			fields = []string{"subjective", "objective", "assessment", "plan"}
		}
		for _, f := range fields {
			if s, ok := rec.Data[f].(string); ok && len(s) >= 6 {
				out = append(out, s)
			}
		}
	}
	return out
}
