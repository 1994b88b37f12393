package envelope

import (
	"encoding/binary"
	"fmt"
)

// Limits of a batch. A client keeps its batches well below them; the server
// and Open refuse anything above.
const (
	// MaxSize is the largest marshalled batch.
	MaxSize = 4 << 20
	// MaxPlainSize is the largest JSON a batch may decompress to, so a
	// small batch cannot expand into an exhausting one.
	MaxPlainSize = 64 << 20
	// MaxIDLen is the longest org or device ID a header can carry.
	MaxIDLen = 255
	// NonceSize is the XChaCha20-Poly1305 nonce length.
	NonceSize = 24
	// KeySize is the org key length.
	KeySize = 32
)

// Batch is one sealed, signed batch of a device's changes. The header (Org
// to Last) travels in clear: the server needs it to file the batch. The
// changes are only in Ciphertext.
type Batch struct {
	// Org and Device say whose changes these are.
	Org    string
	Device string
	// Epoch names the org key the batch is sealed under.
	Epoch uint32
	// First and Last are the device sequence numbers the batch covers.
	First uint64
	Last  uint64
	// Nonce is random, one per batch.
	Nonce [NonceSize]byte
	// Ciphertext is the sealed, compressed changes.
	Ciphertext []byte
	// Signature is Ed25519 by the device key over the header, nonce and
	// ciphertext.
	Signature []byte
}

// Domain strings keep a signature or associated data made for one purpose
// from being accepted for another.
const (
	headerDomain    = "medisecure batch v1\x00"
	signatureDomain = "medisecure batch signature v1\x00"
)

// check reports whether the header fields are within range.
func (b *Batch) check() error {
	switch {
	case b.Org == "" || len(b.Org) > MaxIDLen:
		return fmt.Errorf("%w: org ID must be 1 to %d bytes", ErrMalformed, MaxIDLen)
	case b.Device == "" || len(b.Device) > MaxIDLen:
		return fmt.Errorf("%w: device ID must be 1 to %d bytes", ErrMalformed, MaxIDLen)
	case b.First == 0 || b.Last < b.First:
		return fmt.Errorf("%w: sequence range %d..%d", ErrMalformed, b.First, b.Last)
	case b.Epoch == 0:
		return fmt.Errorf("%w: epoch 0", ErrMalformed)
	}
	return nil
}

// header is the canonical encoding of the batch's clear fields: the
// associated data of the seal and the start of what the device signs.
func (b *Batch) header() []byte {
	h := make([]byte, 0, len(headerDomain)+2+len(b.Org)+len(b.Device)+20)
	h = append(h, headerDomain...)
	h = append(h, byte(len(b.Org)))
	h = append(h, b.Org...)
	h = append(h, byte(len(b.Device)))
	h = append(h, b.Device...)
	h = binary.BigEndian.AppendUint32(h, b.Epoch)
	h = binary.BigEndian.AppendUint64(h, b.First)
	h = binary.BigEndian.AppendUint64(h, b.Last)
	return h
}

// signed is the message the device signs.
func (b *Batch) signed() []byte {
	h := b.header()
	m := make([]byte, 0, len(signatureDomain)+len(h)+NonceSize+len(b.Ciphertext))
	m = append(m, signatureDomain...)
	m = append(m, h...)
	m = append(m, b.Nonce[:]...)
	return append(m, b.Ciphertext...)
}
