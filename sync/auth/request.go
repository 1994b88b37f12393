package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// NonceSize is the length of a request nonce.
const NonceSize = 16

// requestDomain starts every signed request, so that a request signature
// is never valid as any other signature of the device key.
const requestDomain = "medisecure sync request v1\x00"

// Sign sets req's Auth for a call of method (the full gRPC method name, as
// wire.Sync_Push_FullMethodName) by device of org, signed with the device's
// key at now with a fresh random nonce, and returns it. Sign each attempt
// afresh: the server refuses a nonce it has seen. A request that cannot be
// encoded (a string field that is not UTF-8) gets an Auth without a
// signature, which the server refuses as malformed.
func Sign(req wire.Request, method, org, device string, key ed25519.PrivateKey, now time.Time) *wire.Auth {
	a := &wire.Auth{OrgId: org, DeviceId: device, UnixMs: now.UnixMilli(), Nonce: make([]byte, NonceSize)}
	// crypto/rand.Read never fails; it aborts the program if the system's
	// randomness does.
	rand.Read(a.Nonce)
	req.SetAuth(a)
	if msg, err := signedRequest(req, method); err == nil {
		a.Signature = ed25519.Sign(key, msg)
	}
	return a
}

// Verify checks that req's Auth is well formed and signed by the key pub
// for a call of method. It returns ErrMalformed or ErrBadSignature. It
// checks neither the time nor the nonce: that is the server's policy.
func Verify(req wire.Request, method string, pub ed25519.PublicKey) error {
	a := req.GetAuth()
	if err := CheckAuth(a); err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key is %d bytes", ErrMalformed, len(pub))
	}
	unsigned := proto.Clone(req).(wire.Request)
	cleared := proto.Clone(a).(*wire.Auth)
	cleared.Signature = nil
	unsigned.SetAuth(cleared)
	msg, err := signedRequest(unsigned, method)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !ed25519.Verify(pub, msg, a.Signature) {
		return ErrBadSignature
	}
	return nil
}

// CheckAuth reports whether a has every field, at the right sizes.
func CheckAuth(a *wire.Auth) error {
	switch {
	case a == nil:
		return fmt.Errorf("%w: the request carries no auth", ErrMalformed)
	case a.OrgId == "" || a.DeviceId == "":
		return fmt.Errorf("%w: auth names no org or device", ErrMalformed)
	case len(a.Nonce) != NonceSize:
		return fmt.Errorf("%w: auth nonce is %d bytes, not %d", ErrMalformed, len(a.Nonce), NonceSize)
	case len(a.Signature) != ed25519.SignatureSize:
		return fmt.Errorf("%w: auth signature is %d bytes, not %d", ErrMalformed, len(a.Signature), ed25519.SignatureSize)
	}
	return nil
}

// signedRequest is the message a device signs for req, whose Auth has its
// fields set and its signature empty.
func signedRequest(req wire.Request, method string) ([]byte, error) {
	body, err := deterministic.Marshal(req)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	a := req.GetAuth()
	return requestMessage(method, sum[:], a.GetUnixMs(), a.GetNonce()), nil
}

// requestMessage is the message a device signs for a call of method whose
// request, signature cleared, has the SHA-256 digest.
func requestMessage(method string, digest []byte, unixMs int64, nonce []byte) []byte {
	msg := make([]byte, 0, len(requestDomain)+2+len(method)+len(digest)+8+len(nonce))
	msg = append(msg, requestDomain...)
	msg = binary.BigEndian.AppendUint16(msg, uint16(len(method)))
	msg = append(msg, method...)
	msg = append(msg, digest...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(unixMs))
	return append(msg, nonce...)
}

// deterministic encodes messages the same way every time, so both sides
// hash the same bytes.
var deterministic = proto.MarshalOptions{Deterministic: true}
