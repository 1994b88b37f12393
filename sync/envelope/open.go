package envelope

import (
	"crypto/ed25519"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/core"
)

// Verify checks that b is well formed and signed by the device key devPub.
// It needs no org key: the server calls it before storing a batch. It
// returns ErrMalformed or ErrBadSignature.
func Verify(b *Batch, devPub ed25519.PublicKey) error {
	if err := b.check(); err != nil {
		return err
	}
	if len(b.Signature) != ed25519.SignatureSize || len(devPub) != ed25519.PublicKeySize {
		return ErrBadSignature
	}
	if !ed25519.Verify(devPub, b.signed(), b.Signature) {
		return ErrBadSignature
	}
	return nil
}

// Open verifies b against the device key devPub, opens it with the org key
// keys returns for its epoch, and returns its changes. It returns what
// Verify returns, ErrUnknownEpoch when keys has no key for the epoch,
// ErrTampered when the ciphertext does not open, ErrTooLarge when it
// decompresses beyond MaxPlainSize, and ErrBadContent when the changes are
// not all the device's own within the batch's range, or there are none (a
// batch that carries only directory entries is opened with OpenPayload).
func Open(b *Batch, keys func(epoch uint32) ([]byte, bool), devPub ed25519.PublicKey) ([]core.Change, error) {
	p, err := OpenPayload(b, keys, devPub)
	if err != nil {
		return nil, err
	}
	if len(p.Changes) == 0 {
		return nil, fmt.Errorf("%w: the batch holds no changes", ErrBadContent)
	}
	return p.Changes, nil
}

// OpenPayload is Open for the whole payload: the changes and any directory
// entries the batch carries. It returns the errors Open returns.
func OpenPayload(b *Batch, keys func(epoch uint32) ([]byte, bool), devPub ed25519.PublicKey) (Payload, error) {
	if err := Verify(b, devPub); err != nil {
		return Payload{}, err
	}
	key, ok := keys(b.Epoch)
	if !ok {
		return Payload{}, fmt.Errorf("%w: epoch %d", ErrUnknownEpoch, b.Epoch)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return Payload{}, fmt.Errorf("%w: the org key of epoch %d is %d bytes", ErrTampered, b.Epoch, len(key))
	}
	packed, err := aead.Open(nil, b.Nonce[:], b.Ciphertext, b.header())
	if err != nil {
		return Payload{}, ErrTampered
	}
	plain, err := decompress(packed)
	if err != nil {
		return Payload{}, err
	}
	p, err := decodePayload(plain)
	if err != nil {
		return Payload{}, fmt.Errorf("%w: decoding changes: %v", ErrBadContent, err)
	}
	if err := p.check(b); err != nil {
		return Payload{}, fmt.Errorf("%w: %v", ErrBadContent, err)
	}
	return p, nil
}
