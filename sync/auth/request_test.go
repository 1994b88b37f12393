package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

func key(tb testing.TB, name string) ed25519.PrivateKey {
	tb.Helper()
	sum := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(sum[:])
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

var when = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func TestSignVerify(t *testing.T) {
	dev := key(t, "device")
	req := &wire.PushRequest{Envelope: []byte("sealed batch")}
	a := Sign(req, wire.Sync_Push_FullMethodName, "org-1", "dev-1", dev, when)
	if req.Auth != a || a.OrgId != "org-1" || a.DeviceId != "dev-1" || a.UnixMs != when.UnixMilli() {
		t.Fatalf("Sign set %+v", a)
	}
	if err := Verify(req, wire.Sync_Push_FullMethodName, pub(dev)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(req.Auth.Signature) != ed25519.SignatureSize {
		t.Fatal("Verify disturbed the request's signature")
	}
	again := proto.Clone(req).(*wire.PushRequest)
	Sign(again, wire.Sync_Push_FullMethodName, "org-1", "dev-1", dev, when)
	if string(again.Auth.Nonce) == string(a.Nonce) {
		t.Fatal("two signatures share a nonce")
	}
}

func TestVerifyRefuses(t *testing.T) {
	dev := key(t, "device")
	tests := []struct {
		name   string
		alter  func(r *wire.PushRequest)
		method string
		key    ed25519.PublicKey
		want   error
	}{
		{"other body", func(r *wire.PushRequest) { r.Envelope[0] ^= 1 }, wire.Sync_Push_FullMethodName, pub(dev), ErrBadSignature},
		{"other time", func(r *wire.PushRequest) { r.Auth.UnixMs++ }, wire.Sync_Push_FullMethodName, pub(dev), ErrBadSignature},
		{"other nonce", func(r *wire.PushRequest) { r.Auth.Nonce[0] ^= 1 }, wire.Sync_Push_FullMethodName, pub(dev), ErrBadSignature},
		{"other device", func(r *wire.PushRequest) { r.Auth.DeviceId = "dev-2" }, wire.Sync_Push_FullMethodName, pub(dev), ErrBadSignature},
		{"other org", func(r *wire.PushRequest) { r.Auth.OrgId = "org-2" }, wire.Sync_Push_FullMethodName, pub(dev), ErrBadSignature},
		{"other method", nil, wire.Sync_Pull_FullMethodName, pub(dev), ErrBadSignature},
		{"other key", nil, wire.Sync_Push_FullMethodName, pub(key(t, "other")), ErrBadSignature},
		{"short key", nil, wire.Sync_Push_FullMethodName, pub(dev)[:5], ErrMalformed},
		{"no auth", func(r *wire.PushRequest) { r.Auth = nil }, wire.Sync_Push_FullMethodName, pub(dev), ErrMalformed},
		{"no signature", func(r *wire.PushRequest) { r.Auth.Signature = nil }, wire.Sync_Push_FullMethodName, pub(dev), ErrMalformed},
		{"short nonce", func(r *wire.PushRequest) { r.Auth.Nonce = r.Auth.Nonce[:8] }, wire.Sync_Push_FullMethodName, pub(dev), ErrMalformed},
		{"no device", func(r *wire.PushRequest) { r.Auth.DeviceId = "" }, wire.Sync_Push_FullMethodName, pub(dev), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &wire.PushRequest{Envelope: []byte("sealed batch")}
			Sign(req, wire.Sync_Push_FullMethodName, "org-1", "dev-1", dev, when)
			if tt.alter != nil {
				tt.alter(req)
			}
			if err := Verify(req, tt.method, tt.key); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSignedRequestFormat pins the bytes a device signs, which another
// implementation of the client must reproduce: see sync.proto.
func TestSignedRequestFormat(t *testing.T) {
	req := &wire.PullRequest{After: 42, Limit: 100, Auth: &wire.Auth{
		OrgId: "org-1", DeviceId: "dev-1", UnixMs: when.UnixMilli(), Nonce: []byte("0123456789abcdef"),
	}}
	msg, err := signedRequest(req, wire.Sync_Pull_FullMethodName)
	if err != nil {
		t.Fatal(err)
	}
	// The request's deterministic encoding: auth with its four fields set,
	// then after and limit, in field-number order.
	body := "\x0a\x27" + "\x0a\x05org-1" + "\x12\x05dev-1" + "\x18\xc0\x93\xaa\x88\xd5\x32" +
		"\x22\x100123456789abcdef" + "\x10\x2a" + "\x18\x64"
	bodySum := sha256.Sum256([]byte(body))
	want := "medisecure sync request v1\x00" + "\x00\x1d" + "/medisecure.sync.v1.Sync/Pull" +
		string(bodySum[:]) + "\x00\x00\x01\x95\x51\x0a\x89\xc0" + "0123456789abcdef"
	if string(msg) != want {
		t.Fatalf("signed bytes changed:\n got %s\nwant %s", hex.EncodeToString(msg), hex.EncodeToString([]byte(want)))
	}
}
