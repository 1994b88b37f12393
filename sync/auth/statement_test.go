package auth

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"medisecure/sync/wire"
)

func TestStatements(t *testing.T) {
	root, admin, dev := key(t, "root"), key(t, "admin"), key(t, "device")
	cert, err := CertifyAdmin("org-1", "alice", pub(admin), when.Add(24*time.Hour), root)
	if err != nil {
		t.Fatal(err)
	}
	rec := func() *wire.DeviceRecord {
		return &wire.DeviceRecord{OrgId: "org-1", DeviceId: "dev-2", PublicKey: pub(dev), CreatedUnixMs: when.UnixMilli()}
	}
	signDevice := func(key []byte, c *wire.AdminCert) *wire.SignedDevice {
		sd, err := SignDevice(rec(), key, c)
		if err != nil {
			t.Fatal(err)
		}
		return sd
	}
	otherRoot := key(t, "another root")
	foreignCert, _ := CertifyAdmin("org-2", "mallory", pub(admin), time.Time{}, root)
	selfCert, _ := CertifyAdmin("org-1", "mallory", pub(admin), time.Time{}, otherRoot)

	tests := []struct {
		name   string
		sd     *wire.SignedDevice
		now    time.Time
		signer string
		want   error
	}{
		{"by root", signDevice(root, nil), when, RootSigner, nil},
		{"by certified admin", signDevice(admin, cert), when, "admin alice", nil},
		{"by admin after the certificate ended", signDevice(admin, cert), when.Add(25 * time.Hour), "", ErrCertExpired},
		{"by admin without certificate", signDevice(admin, nil), when, "", ErrBadSignature},
		{"by admin certified by another root", signDevice(admin, selfCert), when, "", ErrBadSignature},
		{"by admin of another org", signDevice(admin, foreignCert), when, "", ErrBadSignature},
		{"by the device itself", signDevice(dev, nil), when, "", ErrBadSignature},
		{"altered after signing", func() *wire.SignedDevice {
			sd := signDevice(root, nil)
			sd.Record.PublicKey = pub(key(t, "intruder"))
			return sd
		}(), when, "", ErrBadSignature},
		{"no record", &wire.SignedDevice{}, when, "", ErrMalformed},
		{"unsigned", &wire.SignedDevice{Record: rec()}, when, "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer, err := VerifyDevice(tt.sd, pub(root), tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if signer != tt.signer {
				t.Fatalf("signer %q, want %q", signer, tt.signer)
			}
		})
	}
}

func TestRevocations(t *testing.T) {
	root, admin := key(t, "root"), key(t, "admin")
	cert, err := CertifyAdmin("org-1", "alice", pub(admin), time.Time{}, root)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := SignRevocation(&wire.Revocation{OrgId: "org-1", DeviceId: "dev-2", NewEpoch: 2}, admin, cert)
	if err != nil {
		t.Fatal(err)
	}
	if signer, err := VerifyRevocation(sr, pub(root), when); err != nil || signer != "admin alice" {
		t.Fatalf("VerifyRevocation: %q, %v", signer, err)
	}
	sr.Revocation.NewEpoch = 3
	if _, err := VerifyRevocation(sr, pub(root), when); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered revocation: got %v, want %v", err, ErrBadSignature)
	}
	// A device record's signature is no revocation's, even over equal bytes.
	sd, _ := SignDevice(&wire.DeviceRecord{OrgId: "org-1", DeviceId: "dev-2"}, root, nil)
	forged := &wire.SignedRevocation{Revocation: &wire.Revocation{OrgId: "org-1", DeviceId: "dev-2", NewEpoch: 2}, Endorsement: sd.Endorsement}
	if _, err := VerifyRevocation(forged, pub(root), when); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("device signature as revocation: got %v, want %v", err, ErrBadSignature)
	}
	if _, err := VerifyRevocation(&wire.SignedRevocation{Revocation: &wire.Revocation{OrgId: "org-1", DeviceId: "dev-2"}}, pub(root), when); !errors.Is(err, ErrMalformed) {
		t.Fatalf("epoch 0: got %v, want %v", err, ErrMalformed)
	}
}

func TestSignRefusesNonUTF8(t *testing.T) {
	if _, err := SignDevice(&wire.DeviceRecord{OrgId: "org\xff"}, key(t, "root"), nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want %v", err, ErrMalformed)
	}
}

// SignDeviceWith and SignRevocationWith sign through a Signer exactly as
// SignDevice and SignRevocation sign with the key, and pass its failure on.
func TestSignWithSigner(t *testing.T) {
	root := key(t, "root")
	byRoot := func(msg []byte) ([]byte, error) { return ed25519.Sign(root, msg), nil }
	rec := &wire.DeviceRecord{OrgId: "org-1", DeviceId: "dev-2", PublicKey: pub(key(t, "device")), CreatedUnixMs: when.UnixMilli()}
	sd, err := SignDeviceWith(rec, byRoot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if signer, err := VerifyDevice(sd, pub(root), when); err != nil || signer != RootSigner {
		t.Fatalf("VerifyDevice: %q %v", signer, err)
	}
	sr, err := SignRevocationWith(&wire.Revocation{OrgId: "org-1", DeviceId: "dev-2", NewEpoch: 2}, byRoot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyRevocation(sr, pub(root), when); err != nil {
		t.Fatalf("VerifyRevocation: %v", err)
	}
	refused := errors.New("not an admin")
	if _, err := SignDeviceWith(rec, func([]byte) ([]byte, error) { return nil, refused }, nil); !errors.Is(err, refused) {
		t.Fatalf("failing signer: %v", err)
	}
	if _, err := SignDeviceWith(rec, func([]byte) ([]byte, error) { return []byte("short"), nil }, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("short signature: %v, want %v", err, ErrMalformed)
	}
}
