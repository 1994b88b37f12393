package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"testing"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// The X25519 public key a device's share is sealed to, computed from its
// Ed25519 public key alone, is the one its private key opens.
func TestDeviceBoxKeysMatch(t *testing.T) {
	for range 20 {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		must(t, err)
		x, pub := deviceBoxKeys(priv)
		want, err := curve25519.X25519(x[:], curve25519.Basepoint)
		must(t, err)
		if !bytes.Equal(pub[:], want) {
			t.Fatalf("converted public key %x, want %x", pub, want)
		}
		secret := randomKey()
		sealed, err := box.SealAnonymous(nil, secret, &pub, rand.Reader)
		must(t, err)
		if got, ok := box.OpenAnonymous(nil, sealed, &pub, &x); !ok || !bytes.Equal(got, secret) {
			t.Fatal("a share sealed to the converted key does not open")
		}
	}
}

// sampleShare is a well-formed share as it travels.
func sampleShare(t testing.TB) []byte {
	t.Helper()
	_, root, _ := ed25519.GenerateKey(rand.Reader)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	d, err := shareFor(2, DeviceIDOf(pub), pub, randomKey(), root)
	must(t, err)
	return mustJSON(shareEntry{Share: d})
}

func FuzzDecodeShare(f *testing.F) {
	for _, v := range variants(sampleShare(f)) {
		f.Add(v)
	}
	for _, s := range []string{`{}`, `{"device_share":null}`, `{"device_share":{"epoch":-1}}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeShare(b)
		if err != nil {
			return
		}
		again, err := decodeShare(mustJSON(shareEntry{Share: d}))
		if err != nil || again.Epoch != d.Epoch || again.Device != d.Device || !bytes.Equal(again.Sealed, d.Sealed) {
			t.Fatalf("a decoded share does not decode again the same: %v", err)
		}
	})
}

// sampleSealedFields is a well-formed role-key envelope.
func sampleSealedFields(t testing.TB) []byte {
	t.Helper()
	c := core.Change{Kind: core.KindNote, ID: fakeID(3), Author: "drwho", Device: "d1", Seq: 4, HLC: 5,
		Fields: map[string]json.RawMessage{"subjective": json.RawMessage(`"headache"`)}}
	sealed, err := sealFieldsWith(c, formOrg, sealClinical, 2, randomKey())
	must(t, err)
	f, err := sealedOf(&sealed)
	must(t, err)
	return append(f.header(), f.body...)
}

func FuzzDecodeSealedFields(f *testing.F) {
	for _, v := range variants(sampleSealedFields(f)) {
		f.Add(v)
	}
	f.Add([]byte{sealedVersion, formLocal, byte(sealClinical), 0, 0, 0, 0})
	f.Add([]byte{sealedVersion, formOrg, byte(sealBilling), 0, 0, 0, 0})
	f.Add(append([]byte{sealedVersion, formWrite, byte(sealBilling), 0, 0, 0, 1}, make([]byte, 80)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSealedFields(b)
		if err != nil {
			return
		}
		if got := append(s.header(), s.body...); !bytes.Equal(got, b) {
			t.Fatalf("decoded envelope encodes to %x, not %x", got, b)
		}
		// Opening never panics, whatever the bytes.
		c := core.Change{Kind: core.KindNote, ID: fakeID(3)}
		if s.form != formPublic {
			openFieldsWith(&c, s, make([]byte, 32))
		}
	})
}
