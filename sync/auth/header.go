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

// A signed call carries its Auth in its headers too: gRPC reads a
// request's whole message before any handler runs, but hands the headers
// to the server first, so the header lets a server check who calls before
// it reads a byte of the body. The header comes in two forms:
//
//   - the combined form, HeaderKey: u8 len(org) ‖ org ‖ u8 len(device) ‖
//     device ‖ the proof; the body carries the Auth as well;
//   - the split form: the proof in ProofKey, the organisation and device
//     IDs as they are in OrgKey and DeviceKey. Those two repeat on every
//     call of a connection, so HTTP/2 header compression sends each as a
//     one-byte index after the first call. A server that takes the split
//     form says so (FeatureKey) and rebuilds the request's Auth from the
//     verified header, so a client may leave the Auth out of the body
//     (Claim.Auth).
//
// The proof is u64 big-endian unix_ms ‖ the 16-byte nonce ‖ the 64-byte
// signature ‖ the 32-byte SHA-256 digest of the request as signed. Both
// forms say the same and the signature covers the same bytes: what Sign
// signs.
const (
	// HeaderKey is the gRPC metadata key of the combined form.
	HeaderKey = "medisecure-auth-bin"
	// ProofKey, OrgKey and DeviceKey are the keys of the split form.
	ProofKey  = "medisecure-proof-bin"
	OrgKey    = "medisecure-org"
	DeviceKey = "medisecure-device"
	// FeatureKey is the response metadata key by which a server says,
	// with the value FeatureHeaderAuth, that it takes the split form and
	// reads a request's Auth from the call's verified header when the
	// body leaves it out.
	FeatureKey        = "medisecure-auth"
	FeatureHeaderAuth = "header"
)

// proofSize is the length of a header's proof.
const proofSize = 8 + NonceSize + ed25519.SignatureSize + sha256.Size

// maxHeaderID caps the organisation and device IDs a header may carry.
const maxHeaderID = 255

// Claim is a decoded auth header: a signed request's Auth and the digest
// of its body, which the Auth's signature covers. A server that verifies
// a Claim knows the caller holds the device's key; that the body is the
// one signed, it learns only when it has the body (Covers).
type Claim struct {
	Org, Device string
	UnixMs      int64
	Nonce       []byte
	Signature   []byte
	// Digest is the SHA-256 of the request as signed.
	Digest []byte
}

// NewClaim returns the claim of req, which Sign signed. It returns
// ErrMalformed for a request without a well-formed Auth.
func NewClaim(req wire.Request) (Claim, error) {
	a := req.GetAuth()
	if err := CheckAuth(a); err != nil {
		return Claim{}, err
	}
	if len(a.OrgId) > maxHeaderID || len(a.DeviceId) > maxHeaderID {
		return Claim{}, fmt.Errorf("%w: IDs longer than %d bytes", ErrMalformed, maxHeaderID)
	}
	sum, err := unsignedDigest(req)
	if err != nil {
		return Claim{}, err
	}
	return Claim{Org: a.OrgId, Device: a.DeviceId, UnixMs: a.UnixMs, Nonce: a.Nonce, Signature: a.Signature, Digest: sum}, nil
}

// Header returns the combined form of req's auth header (NewClaim,
// Claim.Marshal). It returns ErrMalformed for a request without a
// well-formed Auth.
func Header(req wire.Request) ([]byte, error) {
	c, err := NewClaim(req)
	if err != nil {
		return nil, err
	}
	return c.Marshal(), nil
}

// Marshal returns the claim's combined form, for HeaderKey.
func (c Claim) Marshal() []byte {
	out := make([]byte, 0, 2+len(c.Org)+len(c.Device)+proofSize)
	out = append(append(out, byte(len(c.Org))), c.Org...)
	out = append(append(out, byte(len(c.Device))), c.Device...)
	return c.appendProof(out)
}

// Proof returns the claim's proof, for ProofKey; OrgKey and DeviceKey
// carry its IDs.
func (c Claim) Proof() []byte {
	return c.appendProof(make([]byte, 0, proofSize))
}

func (c Claim) appendProof(out []byte) []byte {
	out = binary.BigEndian.AppendUint64(out, uint64(c.UnixMs))
	out = append(out, c.Nonce...)
	out = append(out, c.Signature...)
	return append(out, c.Digest...)
}

// Splittable reports whether the claim's IDs can travel as plain header
// values (the split form): printable ASCII, as every ID a server accepts
// is.
func (c Claim) Splittable() bool {
	return plainValue(c.Org) && plainValue(c.Device)
}

// plainValue reports whether s is 1 to maxHeaderID bytes of printable
// ASCII, which a header value without the -bin suffix may hold.
func plainValue(s string) bool {
	if s == "" || len(s) > maxHeaderID {
		return false
	}
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Auth returns the Auth the claim was made from: the request's Auth that
// a client left out of the body. A server rebuilds it only from a claim
// it verified, and Covers then checks the body against it.
func (c Claim) Auth() *wire.Auth {
	return &wire.Auth{
		OrgId: c.Org, DeviceId: c.Device, UnixMs: c.UnixMs,
		Nonce:     bytes.Clone(c.Nonce),
		Signature: bytes.Clone(c.Signature),
	}
}

// ParseHeader decodes the combined form of an auth header. It returns
// ErrMalformed for bytes that are not one.
func ParseHeader(b []byte) (Claim, error) {
	var c Claim
	var ok bool
	if c.Org, b, ok = cutID(b); !ok {
		return Claim{}, fmt.Errorf("%w: auth header without an organisation", ErrMalformed)
	}
	if c.Device, b, ok = cutID(b); !ok {
		return Claim{}, fmt.Errorf("%w: auth header without a device", ErrMalformed)
	}
	return c.parseProof(b)
}

// ParseSplit decodes the split form of an auth header: the proof and the
// organisation and device IDs. It returns ErrMalformed for values that
// are not one.
func ParseSplit(proof []byte, org, device string) (Claim, error) {
	if !plainValue(org) || !plainValue(device) {
		return Claim{}, fmt.Errorf("%w: auth header without an organisation or device", ErrMalformed)
	}
	return Claim{Org: org, Device: device}.parseProof(proof)
}

// parseProof reads a proof into c.
func (c Claim) parseProof(b []byte) (Claim, error) {
	if len(b) != proofSize {
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

// unsignedDigest is the SHA-256 of req's deterministic encoding with its
// Auth's signature cleared, leaving req as it was.
func unsignedDigest(req wire.Request) ([]byte, error) {
	a := req.GetAuth()
	unsigned := proto.Clone(req).(wire.Request)
	cleared := proto.Clone(a).(*wire.Auth)
	cleared.Signature = nil
	unsigned.SetAuth(cleared)
	body, err := deterministic.Marshal(unsigned)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	sum := sha256.Sum256(body)
	return sum[:], nil
}
