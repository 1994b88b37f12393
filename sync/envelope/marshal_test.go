package envelope

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"medisecure/core"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata")

func TestMarshalRoundTrip(t *testing.T) {
	b := sealTest(t, 2)
	raw, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != b.Size() {
		t.Fatalf("Size says %d, Marshal wrote %d", b.Size(), len(raw))
	}
	back, err := Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, b) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", back, b)
	}
}

func TestMarshalRefusesMalformed(t *testing.T) {
	b := sealTest(t, 1)
	b.Signature = nil
	if _, err := Marshal(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Marshal without signature: got %v, want %v", err, ErrMalformed)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	raw, err := Marshal(sealTest(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(p []byte) []byte) []byte { return f(append([]byte(nil), raw...)) }
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not a batch", []byte("hello, world"), ErrMalformed},
		{"other version", edit(func(p []byte) []byte { p[3] = 2; return p }), ErrMalformed},
		{"trailing byte", append(append([]byte(nil), raw...), 0), ErrMalformed},
		{"zero org length", edit(func(p []byte) []byte { p[4] = 0; return p }), ErrMalformed},
		{"oversize", make([]byte, MaxSize+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Unmarshal(tt.data); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(raw) {
			if _, err := Unmarshal(raw[:n]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("%d of %d bytes: got %v, want %v", n, len(raw), err, ErrMalformed)
			}
		}
	})
}

// The fixtures in testdata are batches sealed with the fixed test keys:
// good.batch opens; the others must be refused with the error in their
// name. Rewrite them with `go test -run TestFixtures -update`.
func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	good, err := Marshal(sealTest(tb, 3))
	if err != nil {
		tb.Fatal(err)
	}
	tampered := clone(mustUnmarshal(tb, good))
	tampered.Ciphertext[len(tampered.Ciphertext)/2] ^= 0x40
	resigned := clone(tampered)
	resign(resigned)
	return map[string][]byte{
		"good.batch":                  good,
		"truncated.malformed.batch":   good[:len(good)-17],
		"header-only.malformed.batch": good[:60],
		"tampered.badsig.batch":       mustMarshal(tb, tampered),
		"directory.batch":             mustMarshal(tb, sealDirectory(tb, 2)),
		"resigned.tampered.batch":     mustMarshal(tb, resigned),
	}
}

func mustMarshal(tb testing.TB, b *Batch) []byte {
	tb.Helper()
	raw, err := Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func mustUnmarshal(tb testing.TB, raw []byte) *Batch {
	tb.Helper()
	b, err := Unmarshal(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestFixtures(t *testing.T) {
	if *update {
		for name, data := range fixtures(t) {
			if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.batch"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata (%v); run go test -run TestFixtures -update", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(testPatient)) {
				t.Fatal("fixture shows plaintext")
			}
			_, err = openBytes(data)
			var want error
			switch {
			case strings.HasSuffix(name, ".malformed.batch"):
				want = ErrMalformed
			case strings.HasSuffix(name, ".badsig.batch"):
				want = ErrBadSignature
			case strings.HasSuffix(name, ".tampered.batch"):
				want = ErrTampered
			}
			if !errors.Is(err, want) && !(want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, want)
			}
		})
	}
}

// openBytes is what a client does with the bytes of a pulled batch.
func openBytes(data []byte) ([]core.Change, error) {
	b, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	return Open(b, testKeys, testDevPub)
}
