package envelope

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/core"
)

// Seal makes a batch of a device's changes with sequence numbers firstSeq to
// lastSeq: it JSON-encodes the changes, compresses them, seals them under
// orgKey (the org key of epoch) with the header as associated data, and
// signs header and ciphertext with devKey. Every change must be the
// device's own and within the range. It returns ErrInvalid for arguments it
// cannot seal and ErrTooLarge when the batch would exceed MaxSize or
// MaxPlainSize; the caller then seals fewer changes.
func Seal(changes []core.Change, orgKey []byte, epoch uint32, org, device string, firstSeq, lastSeq uint64, devKey ed25519.PrivateKey) (*Batch, error) {
	if len(changes) == 0 {
		return nil, fmt.Errorf("%w: a batch holds at least one change", ErrInvalid)
	}
	return SealPayload(Payload{Changes: changes}, orgKey, epoch, org, device, firstSeq, lastSeq, devKey)
}

// SealPayload is Seal for a whole payload: changes, directory entries or
// both (at least one of them). A payload without directory entries seals
// to exactly what Seal makes of its changes.
func SealPayload(p Payload, orgKey []byte, epoch uint32, org, device string, firstSeq, lastSeq uint64, devKey ed25519.PrivateKey) (*Batch, error) {
	b := &Batch{Org: org, Device: device, Epoch: epoch, First: firstSeq, Last: lastSeq}
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch {
	case len(orgKey) != KeySize:
		return nil, fmt.Errorf("%w: org key is %d bytes, not %d", ErrInvalid, len(orgKey), KeySize)
	case len(devKey) != ed25519.PrivateKeySize:
		return nil, fmt.Errorf("%w: device key is %d bytes, not %d", ErrInvalid, len(devKey), ed25519.PrivateKeySize)
	}
	if err := p.check(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	plain, err := p.encode()
	if err != nil {
		return nil, fmt.Errorf("%w: encoding changes: %v", ErrInvalid, err)
	}
	if len(plain) > MaxPlainSize {
		return nil, fmt.Errorf("%w: %d bytes of changes, at most %d", ErrTooLarge, len(plain), MaxPlainSize)
	}
	if err := b.seal(compress(plain), orgKey, devKey); err != nil {
		return nil, err
	}
	if n := b.Size(); n > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes sealed, at most %d", ErrTooLarge, n, MaxSize)
	}
	return b, nil
}

// seal encrypts packed into b under orgKey and signs the result.
func (b *Batch) seal(packed, orgKey []byte, devKey ed25519.PrivateKey) error {
	aead, err := chacha20poly1305.NewX(orgKey)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if _, err := rand.Read(b.Nonce[:]); err != nil {
		return fmt.Errorf("envelope: reading a random nonce: %w", err)
	}
	b.Ciphertext = aead.Seal(nil, b.Nonce[:], packed, b.header())
	b.Signature = ed25519.Sign(devKey, b.signed())
	return nil
}
