package invite

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"medisecure/store"
)

// TestFixtures checks that the fixtures in testdata are what their names
// say, and with -update makes them: good ones are accepted, the others
// (truncated, tampered, of another version or organisation) refused.
func TestFixtures(t *testing.T) {
	code := fixtureCode()
	text := code.String()
	mistyped := []byte(text)
	if mistyped[9] == 'Z' {
		mistyped[9] = 'Y'
	} else {
		mistyped[9] = 'Z'
	}
	nextVersion := func() []byte {
		body, _ := alphabet.DecodeString(strings.ReplaceAll(text, "-", ""))
		body = body[:len(body)-checksumSize]
		body[0] = codeVersion + 1
		return []byte(alphabet.EncodeToString(append(body, checksum(body)...)))
	}
	codes := map[string]func() []byte{
		"good.code":                 func() []byte { return []byte(text) },
		"good-typed.code":           func() []byte { return []byte(strings.ToLower(strings.ReplaceAll(text, "-", " "))) },
		"truncated.code":            func() []byte { return []byte(text[:len(text)-5]) },
		"tampered.code":             func() []byte { return mistyped },
		"next-version.code":         nextVersion,
		"foreign-character.code":    func() []byte { return []byte("U" + text[1:]) },
		"good-but-trailing-lf.code": func() []byte { return []byte(text + "\n") },
	}
	for name, make := range codes {
		data := fixture(t, name, make)
		if _, err := ParseCode(string(data)); good(name) != (err == nil) {
			t.Errorf("%s: ParseCode gave %v", name, err)
		}
	}

	blob := fixture(t, "good.blob", func() []byte {
		b, err := Seal(invitation(), code)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
	blobs := map[string]func() []byte{
		"truncated.blob":   func() []byte { return blob[:len(blob)-7] },
		"tampered.blob":    func() []byte { b := bytes.Clone(blob); b[40] ^= 1; return b },
		"header-only.blob": func() []byte { return blob[:25] },
		"other-secret.blob": func() []byte {
			other := code
			other.Secret[31] ^= 0xff
			b, _ := Seal(invitation(), other)
			return b
		},
		"wrong-root.blob": func() []byte {
			inv := invitation()
			inv.Root = append([]byte(nil), inv.Root...)
			inv.Root[0] ^= 1
			b, _ := Seal(inv, code)
			return b
		},
	}
	if _, err := Open(blob, code); err != nil {
		t.Errorf("good.blob: %v", err)
	}
	for name, make := range blobs {
		data := fixture(t, name, make)
		want := ErrBadInvitation
		if name == "wrong-root.blob" {
			want = store.ErrRootMismatch
		}
		if _, err := Open(data, code); !errors.Is(err, want) {
			t.Errorf("%s: Open gave %v, want %v", name, err, want)
		}
	}
}

// FuzzParseCode feeds arbitrary text to ParseCode: it must not panic,
// must refuse with ErrBadCode, and a code it accepts must print as a code
// that parses to the same.
func FuzzParseCode(f *testing.F) {
	for _, data := range fixtures(f, ".code") {
		f.Add(string(data))
	}
	f.Add("")
	f.Add("0000-0000")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrBadCode) {
				t.Fatalf("ParseCode returned a foreign error: %v", err)
			}
			return
		}
		again, err := ParseCode(c.String())
		if err != nil || again != c {
			t.Fatalf("an accepted code does not print back: %+v → %q → %+v, %v", c, c.String(), again, err)
		}
	})
}

// FuzzOpen feeds arbitrary bytes to Open with the fixtures' code: it must
// not panic, must refuse with its own errors, and what it accepts must be
// a well-formed invitation of the code's organisation.
func FuzzOpen(f *testing.F) {
	for _, data := range fixtures(f, ".blob") {
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte{blobVersion})
	code := fixtureCode()
	f.Fuzz(func(t *testing.T, blob []byte) {
		inv, err := Open(blob, code)
		if err != nil {
			if !errors.Is(err, ErrBadInvitation) && !errors.Is(err, store.ErrRootMismatch) {
				t.Fatalf("Open returned a foreign error: %v", err)
			}
			return
		}
		if inv.check() != nil || !store.RootMatches(inv.Root, code.Fingerprint[:]) {
			t.Fatalf("Open accepted an invitation it should not: %+v", inv)
		}
	})
}
