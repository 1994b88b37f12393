package envelope

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"medisecure/core"
)

func TestSealOpenRoundTrip(t *testing.T) {
	changes := testChanges(t, testDevice, 7, 5)
	b, err := Seal(changes, testOrgKey, testEpoch, testOrg, testDevice, 7, 11, testDevKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(b, testDevPub); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	raw, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(testPatient)) || bytes.Contains(raw, []byte("7946")) {
		t.Fatal("the sealed batch shows plaintext")
	}
	back, err := Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(back, testKeys, testDevPub)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !reflect.DeepEqual(got, changes) {
		t.Fatalf("opened changes differ:\n got %+v\nwant %+v", got, changes)
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	a, b := sealTest(t, 1), sealTest(t, 1)
	if a.Nonce == b.Nonce || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Fatal("two seals of the same changes share a nonce or ciphertext")
	}
}

func TestSealRefuses(t *testing.T) {
	ok := testChanges(t, testDevice, 1, 2)
	huge := testChanges(t, testDevice, 1, 1)
	noise := make([]byte, MaxSize)
	rand.Read(noise)
	huge[0].Fields["document"], _ = json.Marshal(base64.StdEncoding.EncodeToString(noise))
	tests := []struct {
		name    string
		changes []core.Change
		key     []byte
		epoch   uint32
		org     string
		device  string
		first   uint64
		last    uint64
		devKey  ed25519.PrivateKey
		want    error
	}{
		{"no changes", nil, testOrgKey, 1, testOrg, testDevice, 1, 2, testDevKey, ErrInvalid},
		{"short org key", ok, testOrgKey[:16], 1, testOrg, testDevice, 1, 2, testDevKey, ErrInvalid},
		{"no device key", ok, testOrgKey, 1, testOrg, testDevice, 1, 2, nil, ErrInvalid},
		{"epoch 0", ok, testOrgKey, 0, testOrg, testDevice, 1, 2, testDevKey, ErrInvalid},
		{"no org", ok, testOrgKey, 1, "", testDevice, 1, 2, testDevKey, ErrInvalid},
		{"other device", ok, testOrgKey, 1, testOrg, "dev-other", 1, 2, testDevKey, ErrInvalid},
		{"sequence outside range", ok, testOrgKey, 1, testOrg, testDevice, 2, 3, testDevKey, ErrInvalid},
		{"range backwards", ok, testOrgKey, 1, testOrg, testDevice, 2, 1, testDevKey, ErrInvalid},
		{"sequence 0", ok, testOrgKey, 1, testOrg, testDevice, 0, 2, testDevKey, ErrInvalid},
		{"too large", huge, testOrgKey, 1, testOrg, testDevice, 1, 1, testDevKey, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Seal(tt.changes, tt.key, tt.epoch, tt.org, tt.device, tt.first, tt.last, tt.devKey)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Seal: got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		alter  func(b *Batch)
		keys   func(uint32) ([]byte, bool)
		devPub ed25519.PublicKey
		want   error
	}{
		{"tampered ciphertext", func(b *Batch) { b.Ciphertext[3] ^= 1 }, testKeys, testDevPub, ErrBadSignature},
		{"tampered epoch", func(b *Batch) { b.Epoch = 2 }, testKeys, testDevPub, ErrBadSignature},
		{"tampered range", func(b *Batch) { b.Last++ }, testKeys, testDevPub, ErrBadSignature},
		{"tampered nonce", func(b *Batch) { b.Nonce[0] ^= 1 }, testKeys, testDevPub, ErrBadSignature},
		{"other signer", nil, testKeys, otherPub, ErrBadSignature},
		{"truncated signature", func(b *Batch) { b.Signature = b.Signature[:10] }, testKeys, testDevPub, ErrBadSignature},
		{"unknown epoch", nil, func(uint32) ([]byte, bool) { return nil, false }, testDevPub, ErrUnknownEpoch},
		{"wrong org key", nil, func(uint32) ([]byte, bool) { return seed("another org"), true }, testDevPub, ErrTampered},
		{"re-signed ciphertext", func(b *Batch) { b.Ciphertext[3] ^= 1; resign(b) }, testKeys, testDevPub, ErrTampered},
		{"re-signed header", func(b *Batch) { b.Last++; resign(b) }, testKeys, testDevPub, ErrTampered},
		{"malformed header", func(b *Batch) { b.Device = "" }, testKeys, testDevPub, ErrMalformed},
	}
	sealed := sealTest(t, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := clone(sealed)
			if tt.alter != nil {
				tt.alter(b)
			}
			got, err := Open(b, tt.keys, tt.devPub)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: got %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Fatal("Open returned changes with an error")
			}
		})
	}
}

// TestOpenChecksContent seals content that a dishonest or broken device
// could sign: Open must refuse all of it.
func TestOpenChecksContent(t *testing.T) {
	foreign, _ := json.Marshal(testChanges(t, "dev-other", 1, 1))
	outside, _ := json.Marshal(testChanges(t, testDevice, 9, 1))
	bomb := make([]byte, MaxPlainSize+1)
	tests := []struct {
		name  string
		plain []byte
		want  error
	}{
		{"another device's change", foreign, ErrBadContent},
		{"sequence outside the range", outside, ErrBadContent},
		{"no changes", []byte("[]"), ErrBadContent},
		{"not JSON", []byte("{{{"), ErrBadContent},
		{"decompression bomb", bomb, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Batch{Org: testOrg, Device: testDevice, Epoch: testEpoch, First: 1, Last: 2}
			if err := b.seal(compress(tt.plain), testOrgKey, testDevKey); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(b, testKeys, testDevPub); !errors.Is(err, tt.want) {
				t.Fatalf("Open: got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("not zstd", func(t *testing.T) {
		b := &Batch{Org: testOrg, Device: testDevice, Epoch: testEpoch, First: 1, Last: 2}
		if err := b.seal([]byte("plain text, never compressed"), testOrgKey, testDevKey); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(b, testKeys, testDevPub); !errors.Is(err, ErrBadContent) {
			t.Fatalf("Open: got %v, want %v", err, ErrBadContent)
		}
	})
}
