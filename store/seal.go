package store

import (
	"crypto/cipher"
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// sealer seals values under one 256-bit key with XChaCha20-Poly1305. The
// associated data names where the value lives (bucket and key), so a sealed
// value moved to another place fails to open.
type sealer struct {
	aead cipher.AEAD
}

// newSealer makes a sealer for a 32-byte key.
func newSealer(key []byte) (*sealer, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("store: making cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns nonce ‖ ciphertext of plain, bound to (bucket, key).
func (s *sealer) seal(bucket, key, plain []byte) []byte {
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plain)+s.aead.Overhead())
	rand.Read(out) // crypto/rand never returns an error since Go 1.24
	return s.aead.Seal(out, out, plain, ad(bucket, key))
}

// open reverses seal; it fails when the value was altered or moved.
func (s *sealer) open(bucket, key, sealed []byte) ([]byte, error) {
	n := chacha20poly1305.NonceSizeX
	if len(sealed) < n+s.aead.Overhead() {
		return nil, fmt.Errorf("sealed value is %d bytes, too short", len(sealed))
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], ad(bucket, key))
}

// ad is the associated data: bucket, a zero byte, key.
func ad(bucket, key []byte) []byte {
	b := make([]byte, 0, len(bucket)+1+len(key))
	b = append(append(append(b, bucket...), 0), key...)
	return b
}

// KDF are the Argon2id parameters that turn a passphrase into a key. They
// are stored with each user, so a store keeps working when defaults change.
type KDF struct {
	Time    uint32 `json:"t"`
	MemKiB  uint32 `json:"m"`
	Threads uint8  `json:"p"`
}

// DefaultKDF is the cost of a login: about a tenth of a second and 64 MiB on
// a workstation.
var DefaultKDF = KDF{Time: 2, MemKiB: 64 * 1024, Threads: 2}

// derive runs Argon2id.
func (k KDF) derive(passphrase string, salt []byte) []byte {
	return argon2.IDKey([]byte(passphrase), salt, k.Time, k.MemKiB, k.Threads, 32)
}

// Derive runs one Argon2id derivation with these parameters and a fixed
// salt; benchmarks measure it as the limit of P3.
func (k KDF) Derive(passphrase string) []byte {
	return k.derive(passphrase, make([]byte, 16))
}

// randomKey returns 32 random bytes.
func randomKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}
