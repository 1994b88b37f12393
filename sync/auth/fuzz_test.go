package auth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseHeader feeds arbitrary bytes to ParseHeader, which a server
// runs on every call's headers before anything else: it must not panic,
// must refuse with ErrMalformed, and what it accepts must be exactly the
// bytes of its fields.
func FuzzParseHeader(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.header"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no header seeds in testdata (%v)", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseHeader(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseHeader returned a foreign error: %v", err)
			}
			return
		}
		var again []byte
		again = append(append(again, byte(len(c.Org))), c.Org...)
		again = append(append(again, byte(len(c.Device))), c.Device...)
		again = binary.BigEndian.AppendUint64(again, uint64(c.UnixMs))
		again = append(append(append(again, c.Nonce...), c.Signature...), c.Digest...)
		if !bytes.Equal(again, b) {
			t.Fatal("an accepted header is not the bytes of its fields")
		}
		if err := c.Verify("/medisecure.sync.v1.Sync/Push", make([]byte, 32)); err == nil {
			t.Fatal("a fuzzed header verified under the zero key")
		}
	})
}

// FuzzParseSplit is FuzzParseHeader for the split form.
func FuzzParseSplit(f *testing.F) {
	f.Add(make([]byte, proofSize), "org-1", "dev-1")
	f.Add([]byte{}, "", "")
	f.Fuzz(func(t *testing.T, proof []byte, org, device string) {
		c, err := ParseSplit(proof, org, device)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseSplit returned a foreign error: %v", err)
			}
			return
		}
		if !bytes.Equal(c.Proof(), proof) || c.Org != org || c.Device != device || !c.Splittable() {
			t.Fatal("an accepted split header is not the bytes of its fields")
		}
		if _, err := ParseHeader(c.Marshal()); err != nil {
			t.Fatalf("an accepted split header has no combined form: %v", err)
		}
	})
}
