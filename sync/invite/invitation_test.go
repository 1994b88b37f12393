package invite

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"medisecure/store"
)

func TestSealOpen(t *testing.T) {
	code, err := NewCode("127.0.0.1:7443", rootKey().Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	inv := invitation()
	blob, err := Seal(inv, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range [][]byte{inv.DeviceSeed, []byte("Test Clinic"), []byte("reception")} {
		if bytes.Contains(blob, secret) {
			t.Fatalf("the sealed invitation holds %q in clear", secret)
		}
	}
	got, err := Open(blob, code)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Org.Created.Equal(inv.Org.Created) {
		t.Fatalf("Org.Created %v, want %v", got.Org.Created, inv.Org.Created)
	}
	got.Org.Created = inv.Org.Created
	if !reflect.DeepEqual(got, inv) {
		t.Fatalf("Open gave %+v, want %+v", got, inv)
	}
	if d := got.DirectoryEntries(); len(d) != 2 || string(d[1]) != string(inv.Directory[1]) {
		t.Fatalf("DirectoryEntries: %q", d)
	}
	again, err := Seal(inv, code)
	if err != nil || bytes.Equal(again, blob) {
		t.Fatal("sealing twice gave the same bytes: the nonce is not fresh")
	}
}

func TestOpenRefuses(t *testing.T) {
	code := fixtureCode()
	blob, err := Seal(invitation(), code)
	if err != nil {
		t.Fatal(err)
	}
	other := code
	other.Secret[0] ^= 1
	tampered := bytes.Clone(blob)
	tampered[len(tampered)/2] ^= 0x20
	version := bytes.Clone(blob)
	version[0] = 2
	otherOrg := code
	otherOrg.Fingerprint[0] ^= 1
	tests := []struct {
		name string
		blob []byte
		code Code
		want error
	}{
		{"another code's secret", blob, other, ErrBadInvitation},
		{"a flipped bit", tampered, code, ErrBadInvitation},
		{"truncated", blob[:len(blob)-1], code, ErrBadInvitation},
		{"only the header", blob[:25], code, ErrBadInvitation},
		{"empty", nil, code, ErrBadInvitation},
		{"an unknown format", version, code, ErrBadInvitation},
		{"another organisation's root key", blob, otherOrg, store.ErrRootMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if inv, err := Open(tt.blob, tt.code); !errors.Is(err, tt.want) || inv != nil {
				t.Fatalf("Open: %v, %v; want %v", inv, err, tt.want)
			}
		})
	}
}

func TestSealRefuses(t *testing.T) {
	code := fixtureCode()
	tests := []struct {
		name   string
		change func(*Invitation)
		want   error
	}{
		{"no organisation", func(i *Invitation) { i.Org.ID = "" }, ErrBadInvitation},
		{"no epoch", func(i *Invitation) { i.Org.Epoch = 0 }, ErrBadInvitation},
		{"a short root key", func(i *Invitation) { i.Root = i.Root[:31] }, ErrBadInvitation},
		{"no device key", func(i *Invitation) { i.DeviceSeed = nil }, ErrBadInvitation},
		{"no directory", func(i *Invitation) { i.Directory = nil }, ErrBadInvitation},
		{"a directory entry that is not an object", func(i *Invitation) { i.Directory[0] = json.RawMessage(`"x"`) }, ErrBadInvitation},
		{"too large", func(i *Invitation) {
			i.Directory = append(i.Directory, json.RawMessage(`{"pad":"`+strings.Repeat("x", MaxBlobSize)+`"}`))
		}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := invitation()
			tt.change(inv)
			if _, err := Seal(inv, code); !errors.Is(err, tt.want) {
				t.Fatalf("Seal: %v, want %v", err, tt.want)
			}
		})
	}
}
