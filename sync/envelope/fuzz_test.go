package envelope

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addFixtures seeds a fuzz target with the batches in testdata, good,
// truncated and tampered.
func addFixtures(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.batch"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures in testdata (%v)", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte("MSB\x01"))
}

// FuzzUnmarshal feeds arbitrary bytes to Unmarshal: it must not panic, must
// refuse with its own errors, and what it accepts must marshal back to the
// same bytes.
func FuzzUnmarshal(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Unmarshal(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Unmarshal returned a foreign error: %v", err)
			}
			return
		}
		again, err := Marshal(b)
		if err != nil {
			t.Fatalf("Marshal of an accepted batch: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatal("accepted bytes do not marshal back to themselves")
		}
	})
}

// FuzzOpen runs arbitrary bytes through what a client does with a pulled
// batch: it must not panic, and any changes it returns must be the batch
// device's own within its range.
func FuzzOpen(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := openBytes(data)
		if err != nil {
			return
		}
		b, _ := Unmarshal(data)
		if len(changes) == 0 {
			t.Fatal("Open accepted a batch with no changes")
		}
		for _, c := range changes {
			if c.Device != b.Device || c.Seq < b.First || c.Seq > b.Last {
				t.Fatalf("Open accepted change %+v outside batch %s %d..%d", c, b.Device, b.First, b.Last)
			}
		}
	})
}
