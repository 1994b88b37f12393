package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// signedPush is a push signed by "device" of org-1 at when.
func signedPush(t *testing.T) *wire.PushRequest {
	t.Helper()
	req := &wire.PushRequest{Envelope: []byte("sealed batch")}
	Sign(req, wire.Sync_Push_FullMethodName, "org-1", "dev-1", key(t, "device"), when)
	return req
}

// TestHeaderForms pins both forms of a request's auth header and checks
// that each decodes to the same claim.
func TestHeaderForms(t *testing.T) {
	req := signedPush(t)
	a := req.Auth
	unsigned := proto.Clone(req).(*wire.PushRequest)
	unsigned.Auth.Signature = nil
	body, err := deterministic.Marshal(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	proof := binary.BigEndian.AppendUint64(nil, uint64(when.UnixMilli()))
	proof = append(append(append(proof, a.Nonce...), a.Signature...), sum[:]...)

	c, err := NewClaim(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Proof(); !bytes.Equal(got, proof) {
		t.Fatalf("proof\n got %x\nwant %x", got, proof)
	}
	combined := append([]byte("\x05org-1\x05dev-1"), proof...)
	if got, err := Header(req); err != nil || !bytes.Equal(got, combined) {
		t.Fatalf("Header = %x, %v\nwant %x", got, err, combined)
	}
	if !c.Splittable() {
		t.Fatal("a claim of plain IDs is not splittable")
	}
	fromCombined, err := ParseHeader(combined)
	if err != nil {
		t.Fatal(err)
	}
	fromSplit, err := ParseSplit(proof, "org-1", "dev-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []Claim{fromCombined, fromSplit} {
		if !bytes.Equal(got.Marshal(), combined) {
			t.Fatalf("decoded claim %+v is not the request's", got)
		}
		if err := got.Verify(wire.Sync_Push_FullMethodName, pub(key(t, "device"))); err != nil {
			t.Fatalf("decoded claim does not verify: %v", err)
		}
	}
}

// TestClaimAuthRebuildsTheBody leaves the Auth out of a signed request,
// as a client does under the split header, and gives it back from the
// claim, as a server does: the rebuilt request is the signed one, and a
// body changed on the way is not.
func TestClaimAuthRebuildsTheBody(t *testing.T) {
	req := signedPush(t)
	raw, err := NewClaim(req)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseSplit(raw.Proof(), raw.Org, raw.Device)
	if err != nil {
		t.Fatal(err)
	}
	sent := proto.Clone(req).(*wire.PushRequest)
	sent.Auth = nil
	sent.SetAuth(c.Auth())
	if !proto.Equal(sent, req) {
		t.Fatalf("rebuilt request %v, want %v", sent, req)
	}
	if err := c.Covers(sent); err != nil {
		t.Fatalf("Covers the rebuilt request: %v", err)
	}
	if err := Verify(sent, wire.Sync_Push_FullMethodName, pub(key(t, "device"))); err != nil {
		t.Fatalf("the rebuilt request does not verify: %v", err)
	}
	c.Auth().Nonce[0] ^= 1
	if err := c.Covers(sent); err != nil {
		t.Fatal("changing a rebuilt Auth changed the claim")
	}
	other := proto.Clone(sent).(*wire.PushRequest)
	other.Envelope = []byte("another batch")
	if err := c.Covers(other); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Covers another body: %v, want ErrBadSignature", err)
	}
	bare := proto.Clone(sent).(*wire.PushRequest)
	bare.Auth = nil
	if err := c.Covers(bare); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Covers a body without Auth: %v, want ErrMalformed", err)
	}
}

func TestParseSplitRefuses(t *testing.T) {
	c, err := NewClaim(signedPush(t))
	if err != nil {
		t.Fatal(err)
	}
	proof := c.Proof()
	tests := []struct {
		name        string
		proof       []byte
		org, device string
	}{
		{"short proof", proof[:len(proof)-1], "org-1", "dev-1"},
		{"long proof", append(bytes.Clone(proof), 0), "org-1", "dev-1"},
		{"no org", proof, "", "dev-1"},
		{"no device", proof, "org-1", ""},
		{"control byte", proof, "org\n1", "dev-1"},
		{"not ASCII", proof, "orgé", "dev-1"},
		{"long ID", proof, string(bytes.Repeat([]byte("o"), 256)), "dev-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseSplit(tt.proof, tt.org, tt.device); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
	if (Claim{Org: "orgé", Device: "dev-1"}).Splittable() {
		t.Fatal("an ID that is not ASCII is splittable")
	}
}

func TestNewClaimRefusesMalformedAuth(t *testing.T) {
	req := signedPush(t)
	req.Auth.Signature = nil
	if _, err := NewClaim(req); !errors.Is(err, ErrMalformed) {
		t.Fatalf("NewClaim of an unsigned request: %v", err)
	}
	if _, err := NewClaim(&wire.PullRequest{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("NewClaim of a request without Auth: %v", err)
	}
}
