package invite

import (
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"medisecure/store"
)

// MaxBlobSize caps a sealed invitation; it is the sync server's limit.
const MaxBlobSize = 1 << 20

// blobVersion is the first byte of every sealed invitation of this format.
const blobVersion = 1

// keyInfo is the HKDF info of an invitation key, so that the secret's
// other use (the invitation ID) and any later format get other keys.
const keyInfo = "medisecure invitation v1"

// Invitation is what a new workstation needs to join: the organisation,
// its root public key, the signed key directory, and the private key of the
// device the inviting admin registered for it. It holds no PHI: the
// directory's users' private keys are sealed under their passphrases.
type Invitation struct {
	Org store.Org `json:"org"`
	// Root is the org root Ed25519 public key.
	Root ed25519.PublicKey `json:"root"`
	// Directory is the signed directory, one JSON object per user, as
	// store.Session.DirectoryEntries returns it.
	Directory []json.RawMessage `json:"directory"`
	// DeviceSeed is the Ed25519 seed of the new workstation's device key.
	DeviceSeed []byte `json:"device_seed"`
	// For is the user the admin made the invitation for; empty when any
	// user of the directory may join with it.
	For string `json:"for,omitempty"`
	// InvitedBy is the admin who made it.
	InvitedBy string `json:"invited_by"`
}

// DirectoryEntries is the directory as store.JoinOptions takes it.
func (inv *Invitation) DirectoryEntries() [][]byte {
	out := make([][]byte, len(inv.Directory))
	for i, e := range inv.Directory {
		out[i] = e
	}
	return out
}

// Seal encrypts inv for whoever holds code: XChaCha20-Poly1305 under a key
// derived from the code's secret, with the version and the invitation ID
// as associated data. It returns ErrBadInvitation when inv lacks what a
// joining workstation needs and ErrTooLarge beyond MaxBlobSize.
func Seal(inv *Invitation, code Code) ([]byte, error) {
	if err := inv.check(); err != nil {
		return nil, err
	}
	plain, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInvitation, err)
	}
	aead, err := code.aead()
	if err != nil {
		return nil, err
	}
	size := 1 + aead.NonceSize() + len(plain) + aead.Overhead()
	if size > MaxBlobSize {
		return nil, fmt.Errorf("%w: %d bytes sealed, at most %d", ErrTooLarge, size, MaxBlobSize)
	}
	blob := make([]byte, 1+aead.NonceSize(), size)
	blob[0] = blobVersion
	// crypto/rand.Read never fails; it aborts the program if the system's
	// randomness does.
	rand.Read(blob[1:])
	return aead.Seal(blob, blob[1:], plain, code.associated()), nil
}

// Open decrypts a sealed invitation with code and checks it: it must
// open, hold a well-formed organisation, root key, directory and device
// key, and its root key must match the code's fingerprint. It returns
// ErrBadInvitation, or store.ErrRootMismatch for another organisation's
// root key.
func Open(blob []byte, code Code) (*Invitation, error) {
	aead, err := code.aead()
	if err != nil {
		return nil, err
	}
	switch {
	case len(blob) > MaxBlobSize:
		return nil, fmt.Errorf("%w: %d bytes, more than an invitation holds", ErrBadInvitation, len(blob))
	case len(blob) < 1+aead.NonceSize()+aead.Overhead():
		return nil, fmt.Errorf("%w: %d bytes, too short", ErrBadInvitation, len(blob))
	case blob[0] != blobVersion:
		return nil, fmt.Errorf("%w: format %d is unknown to this version of clinic", ErrBadInvitation, blob[0])
	}
	nonce, sealed := blob[1:1+aead.NonceSize()], blob[1+aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, code.associated())
	if err != nil {
		return nil, fmt.Errorf("%w: it was altered, or is another code's", ErrBadInvitation)
	}
	var inv Invitation
	if err := json.Unmarshal(plain, &inv); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInvitation, err)
	}
	if err := inv.check(); err != nil {
		return nil, err
	}
	if !store.RootMatches(inv.Root, code.Fingerprint[:]) {
		return nil, fmt.Errorf("invite: %w", store.ErrRootMismatch)
	}
	return &inv, nil
}

// check reports whether inv holds what a joining workstation needs, in
// the right shapes; the store verifies the directory's signatures.
func (inv *Invitation) check() error {
	switch {
	case inv.Org.ID == "" || inv.Org.Epoch < 1:
		return fmt.Errorf("%w: it names no organisation or key epoch", ErrBadInvitation)
	case len(inv.Root) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: the root key is %d bytes", ErrBadInvitation, len(inv.Root))
	case len(inv.DeviceSeed) != ed25519.SeedSize:
		return fmt.Errorf("%w: the device key is %d bytes", ErrBadInvitation, len(inv.DeviceSeed))
	case len(inv.Directory) == 0:
		return fmt.Errorf("%w: the directory is empty", ErrBadInvitation)
	}
	for i, e := range inv.Directory {
		if len(e) == 0 || e[0] != '{' {
			return fmt.Errorf("%w: directory entry %d is not a JSON object", ErrBadInvitation, i)
		}
	}
	return nil
}

// aead is the cipher of the code's invitation.
func (c Code) aead() (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, c.Secret[:], nil, keyInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("invite: deriving the invitation key: %w", err)
	}
	return chacha20poly1305.NewX(key)
}

// associated binds a sealed invitation to its format and ID.
func (c Code) associated() []byte {
	return append([]byte{blobVersion}, c.InviteID()...)
}
