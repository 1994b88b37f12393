package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// testDirectory is two directory entries as a workstation ships them.
var testDirectory = []json.RawMessage{
	json.RawMessage(`{"user":{"name":"admin","role":"admin"},"signed_by":"root","version":1}`),
	json.RawMessage(`{"user":{"name":"desk","role":"reception"},"signed_by":"admin","version":1}`),
}

// sealDirectory seals n changes from sequence 1 with the test directory.
func sealDirectory(tb testing.TB, n int) *Batch {
	tb.Helper()
	p := Payload{Changes: testChanges(tb, testDevice, 1, n), Directory: testDirectory}
	b, err := SealPayload(p, testOrgKey, testEpoch, testOrg, testDevice, 1, uint64(max(n, 1)), testDevKey)
	if err != nil {
		tb.Fatalf("SealPayload: %v", err)
	}
	return b
}

func TestPayloadRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		changes int
	}{
		{"changes and directory", 3},
		{"directory alone", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sealDirectory(t, tt.changes)
			p, err := OpenPayload(b, testKeys, testDevPub)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) != tt.changes || !reflect.DeepEqual(p.Directory, testDirectory) {
				t.Fatalf("opened %d changes and directory %s", len(p.Changes), p.Directory)
			}
			_, err = Open(b, testKeys, testDevPub)
			if tt.changes == 0 && !errors.Is(err, ErrBadContent) {
				t.Fatalf("Open of a directory-only batch: %v, want %v", err, ErrBadContent)
			}
			if tt.changes > 0 && err != nil {
				t.Fatalf("Open: %v", err)
			}
		})
	}
}

// A batch without directory entries is the first form: Open and
// OpenPayload read the same changes from it.
func TestPayloadWithoutDirectoryIsPlainChanges(t *testing.T) {
	b := sealTest(t, 2)
	p, err := OpenPayload(b, testKeys, testDevPub)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 2 || p.Directory != nil {
		t.Fatalf("payload %+v", p)
	}
	plain, err := (&Payload{Changes: p.Changes}).encode()
	if err != nil {
		t.Fatal(err)
	}
	if plain[0] != '[' {
		t.Fatalf("a payload without directory encodes as %q…, want a JSON array", plain[:1])
	}
}

func TestSealPayloadRefuses(t *testing.T) {
	tests := []struct {
		name string
		p    Payload
	}{
		{"nothing", Payload{}},
		{"entry not an object", Payload{Directory: []json.RawMessage{json.RawMessage(`"admin"`)}}},
		{"foreign change", Payload{Changes: testChanges(t, "dev-other", 1, 1), Directory: testDirectory}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SealPayload(tt.p, testOrgKey, testEpoch, testOrg, testDevice, 1, 1, testDevKey)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want %v", err, ErrInvalid)
			}
		})
	}
}

// FuzzOpenPayload runs arbitrary bytes through what a sync client does
// with a pulled batch: it must not panic, and what it accepts holds
// something, all of it the batch device's own.
func FuzzOpenPayload(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Unmarshal(data)
		if err != nil {
			return
		}
		p, err := OpenPayload(b, testKeys, testDevPub)
		if err != nil {
			return
		}
		if len(p.Changes) == 0 && len(p.Directory) == 0 {
			t.Fatal("OpenPayload accepted an empty batch")
		}
		for _, c := range p.Changes {
			if c.Device != b.Device || c.Seq < b.First || c.Seq > b.Last {
				t.Fatalf("accepted change %+v outside batch %s %d..%d", c, b.Device, b.First, b.Last)
			}
		}
		for _, e := range p.Directory {
			if len(e) == 0 || e[0] != '{' {
				t.Fatalf("accepted directory entry %q", e)
			}
		}
	})
}

// The dictionary makes a small batch smaller, and frames compressed
// without it (the first batches written) still decompress.
func TestDictionary(t *testing.T) {
	plain, err := (&Payload{Changes: testChanges(t, testDevice, 1, 3)}).encode()
	if err != nil {
		t.Fatal(err)
	}
	bare, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	without := bare.EncodeAll(plain, nil)
	with := compress(plain)
	if len(with) >= len(without) {
		t.Errorf("with the dictionary %d bytes, without %d", len(with), len(without))
	}
	for _, packed := range [][]byte{with, without} {
		got, err := decompress(packed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("decompress: %v", err)
		}
	}
}

// A plaintext above dictionaryMax is compressed without the dictionary,
// one up to it with, and both open.
func TestDictionaryOnlyForSmallBatches(t *testing.T) {
	small, err := (&Payload{Changes: testChanges(t, testDevice, 1, 3)}).encode()
	if err != nil {
		t.Fatal(err)
	}
	n := 3
	var large []byte
	for len(large) <= dictionaryMax {
		n *= 2
		if large, err = (&Payload{Changes: testChanges(t, testDevice, 1, n)}).encode(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		plain []byte
		dict  uint32
	}{{small, dictionaryID}, {large, 0}} {
		packed := compress(tt.plain)
		var h zstd.Header
		if err := h.Decode(packed); err != nil {
			t.Fatal(err)
		}
		if h.DictionaryID != tt.dict {
			t.Errorf("%d bytes compressed with dictionary %#x, want %#x", len(tt.plain), h.DictionaryID, tt.dict)
		}
		got, err := decompress(packed)
		if err != nil || !bytes.Equal(got, tt.plain) {
			t.Fatalf("decompress %d bytes: %v", len(tt.plain), err)
		}
	}
}
