package invite

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/store"
)

// update rewrites the fixtures in testdata: go test -run TestFixtures -update.
var update = flag.Bool("update", false, "rewrite the fixtures in testdata")

// rootKey is the fixtures' org root key.
func rootKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("fixture org root"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// fixtureCode is the code the fixtures are made with: a fixed secret, so
// that the sealed fixtures open with it.
func fixtureCode() Code {
	c := Code{Server: "sync.example.org:7443"}
	for i := range c.Secret {
		c.Secret[i] = byte(i + 1)
	}
	sum := sha256.Sum256(rootKey().Public().(ed25519.PublicKey))
	copy(c.Fingerprint[:], sum[:])
	return c
}

// invitation is a well-formed invitation of the fixtures' organisation.
func invitation() *Invitation {
	seed := sha256.Sum256([]byte("fixture device"))
	return &Invitation{
		Org:        store.Org{ID: "org-0123456789abcdef", Name: "Test Clinic", Zone: "Europe/Berlin", Epoch: 2, Created: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		Root:       rootKey().Public().(ed25519.PublicKey),
		Directory:  []json.RawMessage{json.RawMessage(`{"user":{"name":"admin","role":"admin"},"version":3}`), json.RawMessage(`{"user":{"name":"desk","role":"reception"},"version":1}`)},
		DeviceSeed: seed[:],
		For:        "desk",
		InvitedBy:  "admin",
	}
}

// fixture reads a file of testdata, or writes it with -update.
func fixture(tb testing.TB, name string, make func() []byte) []byte {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, make(), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v; run go test -run TestFixtures -update to make it", err)
	}
	return data
}

// fixtures returns the contents of the testdata files with a suffix.
func fixtures(tb testing.TB, suffix string) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*"+suffix))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no %s fixtures in testdata (%v)", suffix, err)
	}
	out := make([][]byte, len(files))
	for i, file := range files {
		if out[i], err = os.ReadFile(file); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// good reports whether a fixture's name says it must be accepted.
func good(path string) bool { return strings.HasPrefix(filepath.Base(path), "good") }
