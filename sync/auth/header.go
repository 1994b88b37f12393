package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// HeaderKey is the gRPC metadata key of a call's auth header. gRPC reads
// a request's whole message before any handler runs, but hands the
// headers to the server first: the header lets a server check who calls
// before it reads a byte of the body.
const HeaderKey = "medisecure-auth-bin"

// maxHeaderID caps the organisation and device IDs a header may carry.
const maxHeaderID = 255

// Claim is a decoded auth header: a signed request's Auth and the digest
// of its body, which the Auth's signature covers. A server that verifies
// a Claim knows the caller holds the device's key; that the body is the
// one signed, it learns only when it has the body (Verify).
type Claim struct {
	Org, Device string
	UnixMs      int64
	Nonce       []byte
	Signature   []byte
	// Digest is the SHA-256 of the request as signed.
	Digest []byte
}

// Header returns the auth header of req, which Sign signed: u8 len(org) ‖ org ‖ u8 len(device) ‖ device ‖ u64 Unix ms ‖
// nonce ‖ signature ‖ digest. It returns ErrMalformed for a request
// without a well-formed Auth.
func Header(req wire.Request) ([]byte, error) {
	a := req.GetAuth()
	if err := CheckAuth(a); err != nil {
		return nil, err
	}
	if len(a.OrgId) > maxHeaderID || len(a.DeviceId) > maxHeaderID {
		return nil, fmt.Errorf("%w: IDs longer than %d bytes", ErrMalformed, maxHeaderID)
	}
	unsigned := proto.Clone(req).(wire.Request)
	cleared := proto.Clone(a).(*wire.Auth)
	cleared.Signature = nil
	unsigned.SetAuth(cleared)
	body, err := deterministic.Marshal(unsigned)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	sum := sha256.Sum256(body)
	out := make([]byte, 0, 2+len(a.OrgId)+len(a.DeviceId)+8+NonceSize+ed25519.SignatureSize+len(sum))
	out = append(append(out, byte(len(a.OrgId))), a.OrgId...)
	out = append(append(out, byte(len(a.DeviceId))), a.DeviceId...)
	out = binary.BigEndian.AppendUint64(out, uint64(a.UnixMs))
	out = append(out, a.Nonce...)
	out = append(out, a.Signature...)
	return append(out, sum[:]...), nil
}

// ParseHeader decodes an auth header. It returns ErrMalformed for bytes
// that are not one.
func ParseHeader(b []byte) (Claim, error) {
	var c Claim
	var ok bool
	if c.Org, b, ok = cutID(b); !ok {
		return Claim{}, fmt.Errorf("%w: auth header without an organisation", ErrMalformed)
	}
	if c.Device, b, ok = cutID(b); !ok {
		return Claim{}, fmt.Errorf("%w: auth header without a device", ErrMalformed)
	}
	if len(b) != 8+NonceSize+ed25519.SignatureSize+sha256.Size {
		return Claim{}, fmt.Errorf("%w: auth header of the wrong length", ErrMalformed)
	}
	c.UnixMs = int64(binary.BigEndian.Uint64(b))
	b = b[8:]
	c.Nonce, b = b[:NonceSize:NonceSize], b[NonceSize:]
	c.Signature, b = b[:ed25519.SignatureSize:ed25519.SignatureSize], b[ed25519.SignatureSize:]
	c.Digest = b
	return c, nil
}

// cutID reads a u8-length-prefixed, non-empty UTF-8 ID off the front of b.
func cutID(b []byte) (string, []byte, bool) {
	if len(b) < 1 {
		return "", nil, false
	}
	n := int(b[0])
	if n == 0 || len(b) < 1+n || !utf8.Valid(b[1:1+n]) {
		return "", nil, false
	}
	return string(b[1 : 1+n]), b[1+n:], true
}

// Verify checks that the claim's signature is the device key pub's over a
// call of method with the claimed digest. It returns ErrBadSignature.
func (c Claim) Verify(method string, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key is %d bytes", ErrMalformed, len(pub))
	}
	if !ed25519.Verify(pub, requestMessage(method, c.Digest, c.UnixMs, c.Nonce), c.Signature) {
		return ErrBadSignature
	}
	return nil
}

// Covers checks that req is the request the claim was made for: its Auth
// carries the claim's organisation, device, time, nonce and signature, and
// req with the signature cleared has the claim's digest. A server that has
// verified the claim (Verify) thereby knows req is signed without checking
// the signature again. Covers clears and restores req's signature while it
// hashes, so req must not be in use elsewhere. It returns ErrMalformed or
// ErrBadSignature.
func (c Claim) Covers(req wire.Request) error {
	a := req.GetAuth()
	if err := CheckAuth(a); err != nil {
		return err
	}
	if a.OrgId != c.Org || a.DeviceId != c.Device || a.UnixMs != c.UnixMs ||
		!bytes.Equal(a.Nonce, c.Nonce) || !bytes.Equal(a.Signature, c.Signature) {
		return fmt.Errorf("%w: the request's auth is not its header's", ErrBadSignature)
	}
	sig := a.Signature
	a.Signature = nil
	body, err := deterministic.Marshal(req)
	a.Signature = sig
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], c.Digest) {
		return fmt.Errorf("%w: the request is not the one its header signed", ErrBadSignature)
	}
	return nil
}
