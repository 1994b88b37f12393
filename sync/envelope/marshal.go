package envelope

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// The byte form of a batch, version 1, all integers big-endian:
//
//	"MSB" 0x01
//	u8 len(org) ‖ org ‖ u8 len(device) ‖ device
//	u32 epoch ‖ u64 first ‖ u64 last
//	24-byte nonce ‖ u32 len(ciphertext) ‖ ciphertext ‖ 64-byte signature
const (
	magic   = "MSB"
	version = 1
)

// Size is the length of the batch's byte form.
func (b *Batch) Size() int {
	return len(magic) + 1 + 1 + len(b.Org) + 1 + len(b.Device) + 4 + 8 + 8 +
		NonceSize + 4 + len(b.Ciphertext) + ed25519.SignatureSize
}

// Marshal returns the batch's byte form. It returns ErrMalformed for a
// batch whose header is out of range or whose signature is not 64 bytes.
func Marshal(b *Batch) ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if len(b.Signature) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature is %d bytes", ErrMalformed, len(b.Signature))
	}
	out := make([]byte, 0, b.Size())
	out = append(out, magic...)
	out = append(out, version)
	out = append(out, byte(len(b.Org)))
	out = append(out, b.Org...)
	out = append(out, byte(len(b.Device)))
	out = append(out, b.Device...)
	out = binary.BigEndian.AppendUint32(out, b.Epoch)
	out = binary.BigEndian.AppendUint64(out, b.First)
	out = binary.BigEndian.AppendUint64(out, b.Last)
	out = append(out, b.Nonce[:]...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(b.Ciphertext)))
	out = append(out, b.Ciphertext...)
	out = append(out, b.Signature...)
	return out, nil
}

// Unmarshal parses a batch's byte form. It never panics: bytes that are not
// a batch give ErrMalformed, a batch beyond MaxSize gives ErrTooLarge. It
// checks the form only; Verify checks the signature.
func Unmarshal(data []byte) (*Batch, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxSize)
	}
	r := reader{data: data}
	if string(r.next(len(magic))) != magic {
		return nil, fmt.Errorf("%w: not a batch envelope", ErrMalformed)
	}
	if v := r.u8(); v != version {
		if r.short {
			return nil, fmt.Errorf("%w: truncated", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: version %d, this program reads %d", ErrMalformed, v, version)
	}
	b := &Batch{}
	b.Org = string(r.next(int(r.u8())))
	b.Device = string(r.next(int(r.u8())))
	b.Epoch = r.u32()
	b.First = r.u64()
	b.Last = r.u64()
	copy(b.Nonce[:], r.next(NonceSize))
	n := r.u32()
	if n < chacha20poly1305.Overhead || uint64(n) > uint64(len(data)) {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, n)
	}
	b.Ciphertext = append([]byte(nil), r.next(int(n))...)
	b.Signature = append([]byte(nil), r.next(ed25519.SignatureSize)...)
	switch {
	case r.short:
		return nil, fmt.Errorf("%w: truncated", ErrMalformed)
	case len(r.data) != 0:
		return nil, fmt.Errorf("%w: %d bytes after the signature", ErrMalformed, len(r.data))
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	return b, nil
}

// reader consumes data front to back; reading past the end sets short and
// returns zeros, so a parser checks once at the end.
type reader struct {
	data  []byte
	short bool
}

func (r *reader) next(n int) []byte {
	if n > len(r.data) {
		r.short = true
		r.data = nil
		return make([]byte, n)
	}
	p := r.data[:n]
	r.data = r.data[n:]
	return p
}

func (r *reader) u8() uint8   { return r.next(1)[0] }
func (r *reader) u32() uint32 { return binary.BigEndian.Uint32(r.next(4)) }
func (r *reader) u64() uint64 { return binary.BigEndian.Uint64(r.next(8)) }
