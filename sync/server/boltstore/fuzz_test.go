package boltstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds seeds a fuzz target with the files testdata/*.ext, sound and
// damaged.
func addSeeds(f *testing.F, ext string) {
	files, err := filepath.Glob(filepath.Join("testdata", "*."+ext))
	if err != nil || len(files) == 0 {
		f.Fatalf("no *.%s seeds in testdata (%v)", ext, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
}

// wantCorrupt fails unless err is ErrCorrupt.
func wantCorrupt(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("%s returned a foreign error: %v", what, err)
	}
}

// FuzzDecodeBatch feeds arbitrary stored values to decodeBatch: it must
// not panic, must refuse with ErrCorrupt, and what it accepts must encode
// back to the same bytes.
func FuzzDecodeBatch(f *testing.F) {
	addSeeds(f, "batch")
	f.Fuzz(func(t *testing.T, v []byte) {
		b, err := decodeBatch(v)
		if err != nil {
			wantCorrupt(t, "decodeBatch", err)
			return
		}
		if !bytes.Equal(encodeBatch(b), v) {
			t.Fatal("an accepted batch does not encode back to its bytes")
		}
	})
}

// FuzzDecodeAck does the same for acknowledgements.
func FuzzDecodeAck(f *testing.F) {
	addSeeds(f, "ack")
	f.Fuzz(func(t *testing.T, v []byte) {
		a, err := decodeAck(v)
		if err != nil {
			wantCorrupt(t, "decodeAck", err)
			return
		}
		if !bytes.Equal(a.encode(), v) {
			t.Fatal("an accepted acknowledgement does not encode back to its bytes")
		}
	})
}

// FuzzDecodeInvite does the same for kept invitations.
func FuzzDecodeInvite(f *testing.F) {
	addSeeds(f, "invite")
	f.Fuzz(func(t *testing.T, v []byte) {
		inv, err := decodeInvite([]byte("0123456789abcdef"), v)
		if err != nil {
			wantCorrupt(t, "decodeInvite", err)
			return
		}
		if !bytes.Equal(encodeInvite(inv), v) {
			t.Fatal("an accepted invitation does not encode back to its bytes")
		}
	})
}

// FuzzDecodeRecords feeds arbitrary bytes to the JSON decoding of stored
// devices and organisations: it must not panic and must refuse with
// ErrCorrupt; what it accepts must encode to JSON that decodes the same.
func FuzzDecodeRecords(f *testing.F) {
	addSeeds(f, "device")
	addSeeds(f, "org")
	f.Fuzz(func(t *testing.T, v []byte) {
		var d deviceRecord
		if err := getJSON(v, "device", &d); err != nil {
			wantCorrupt(t, "getJSON of a device", err)
		} else {
			again := deviceRecordOf(d.device("dev-a"))
			var back deviceRecord
			if err := getJSON(mustMarshal(t, again), "device", &back); err != nil || back.LastSeq != d.LastSeq || back.Revoked != d.Revoked {
				t.Fatalf("an accepted device does not survive encoding: %+v, %v", back, err)
			}
		}
		var o orgRecord
		if err := getJSON(v, "organisation", &o); err != nil {
			wantCorrupt(t, "getJSON of an organisation", err)
		}
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
