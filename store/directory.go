package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// rootSigner is the name a directory entry gives as its signer when the org
// root key signed it (the first admin's entry).
const rootSigner = "root"

// dirEntry is one user in the directory. It holds no PHI. Everything but the
// passphrase-sealed private keys is signed, by the org root key or by an
// admin whose own entry verifies, so a forged role, key or grant is refused.
type dirEntry struct {
	User    core.User `json:"user"`
	BoxPub  []byte    `json:"box_pub"`
	SignPub []byte    `json:"sign_pub"`
	// Grants maps a key epoch to the org key of that epoch sealed to BoxPub.
	Grants map[string][]byte `json:"grants"`
	// RootGrant is, for admins, the org root signing key sealed to BoxPub.
	RootGrant []byte `json:"root_grant,omitempty"`
	// ClassGrants maps "epoch/class" to the organisation's key of that
	// class and epoch sealed to BoxPub, for every class the role holds
	// (classgrants.go). Admins need none: they derive them.
	ClassGrants map[string][]byte `json:"class_grants,omitempty"`
	SignedBy    string            `json:"signed_by"`
	// Version grows with every re-signed change of the entry (a new grant
	// after a key rotation, say), so an older copy never replaces a newer.
	Version uint64 `json:"version"`
	Sig     []byte `json:"sig,omitempty"`

	// KDF, Salt and Private are not signed: Private is the user's X25519
	// and Ed25519 private keys sealed under Argon2id(passphrase), and
	// tampering with them only makes the login fail.
	KDF     KDF    `json:"kdf"`
	Salt    []byte `json:"salt"`
	Private []byte `json:"private"`
	// Reset marks Private as sealed under an admin's one-time reset code
	// (lifecycle.go); KeyVersion and KeySig number and sign KDF, Salt,
	// Private and Reset with the user's own key (keypart.go).
	Reset      bool   `json:"reset,omitempty"`
	KeyVersion uint64 `json:"key_version,omitempty"`
	KeySig     []byte `json:"key_sig,omitempty"`
}

// signable is the part of the entry the signature covers.
func (e *dirEntry) signable() []byte {
	b, _ := json.Marshal(struct {
		User      core.User         `json:"user"`
		BoxPub    []byte            `json:"box_pub"`
		SignPub   []byte            `json:"sign_pub"`
		Grants    map[string][]byte `json:"grants"`
		RootGrant []byte            `json:"root_grant,omitempty"`
		// Omitted when empty, so entries signed before class grants
		// existed still verify.
		ClassGrants map[string][]byte `json:"class_grants,omitempty"`
		SignedBy    string            `json:"signed_by"`
		Version     uint64            `json:"version"`
	}{e.User, e.BoxPub, e.SignPub, e.Grants, e.RootGrant, e.ClassGrants, e.SignedBy, e.Version})
	return append([]byte("medisecure directory entry v1\x00"), b...)
}

// decodeDirEntry parses a stored directory entry.
func decodeDirEntry(b []byte) (*dirEntry, error) {
	var e dirEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	if len(e.BoxPub) != 32 || len(e.SignPub) != ed25519.PublicKeySize || len(e.Salt) < 16 {
		return nil, errors.New("directory entry has malformed keys")
	}
	if e.KDF.Time == 0 || e.KDF.MemKiB < 8 || e.KDF.Threads == 0 || e.KDF.MemKiB > 1<<20 || e.KDF.Time > 16 || e.KDF.Threads > 16 {
		return nil, errors.New("directory entry has impossible key-derivation parameters")
	}
	return &e, nil
}

// userKeys are a logged-in user's private keys.
type userKeys struct {
	box  [32]byte
	sign ed25519.PrivateKey
}

// newUserEntry makes a user's key pairs and seals the private halves under
// their passphrase. The caller adds grants and signs.
func newUserEntry(u core.User, passphrase string, kdf KDF) (*dirEntry, *userKeys, error) {
	boxPub, boxPriv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("store: making user keys: %w", err)
	}
	signPub, signPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("store: making user keys: %w", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	s, err := newSealer(kdf.derive(passphrase, salt))
	if err != nil {
		return nil, nil, err
	}
	plain := append(append([]byte{}, boxPriv[:]...), signPriv.Seed()...)
	e := &dirEntry{
		User: u, BoxPub: boxPub[:], SignPub: signPub, Grants: map[string][]byte{},
		KDF: kdf, Salt: salt, Private: s.seal(bucketDirectory, []byte(u.Name), plain),
	}
	return e, &userKeys{box: *boxPriv, sign: signPriv}, nil
}

// unlock opens the entry's private keys with a passphrase; it returns
// core.ErrAuth when the passphrase is wrong.
func (e *dirEntry) unlock(passphrase string) (*userKeys, error) {
	s, err := newSealer(e.KDF.derive(passphrase, e.Salt))
	if err != nil {
		return nil, err
	}
	plain, err := s.open(bucketDirectory, []byte(e.User.Name), e.Private)
	if err != nil || len(plain) != 64 {
		return nil, core.ErrAuth
	}
	k := &userKeys{sign: ed25519.NewKeyFromSeed(plain[32:])}
	copy(k.box[:], plain[:32])
	return k, nil
}

// sealTo seals a secret to the entry's X25519 public key (an anonymous
// nacl box), so only that user can open it.
func (e *dirEntry) sealTo(secret []byte) ([]byte, error) {
	var pub [32]byte
	copy(pub[:], e.BoxPub)
	sealed, err := box.SealAnonymous(nil, secret, &pub, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("store: sealing a key to %s: %w", e.User.Name, err)
	}
	return sealed, nil
}

// openSealed opens a secret sealed to the user with sealTo.
func (k *userKeys) openSealed(sealed []byte) ([]byte, bool) {
	pub, err := curve25519.X25519(k.box[:], curve25519.Basepoint)
	if err != nil {
		return nil, false
	}
	var pub32 [32]byte
	copy(pub32[:], pub)
	return box.OpenAnonymous(nil, sealed, &pub32, &k.box)
}

// grant seals the org key of an epoch to the user.
func (e *dirEntry) grant(epoch int, orgKey []byte) error {
	sealed, err := e.sealTo(orgKey)
	if err != nil {
		return err
	}
	e.Grants[strconv.Itoa(epoch)] = sealed
	return nil
}

// orgKey opens the user's grant of an epoch's org key.
func (e *dirEntry) orgKey(epoch int, k *userKeys) ([]byte, error) {
	sealed, ok := e.Grants[strconv.Itoa(epoch)]
	if !ok {
		return nil, fmt.Errorf("%w: user %s holds no key for epoch %d", ErrNotFound, e.User.Name, epoch)
	}
	key, ok := k.openSealed(sealed)
	if !ok || len(key) != 32 {
		return nil, corrupt("the org key grant of "+e.User.Name, nil)
	}
	return key, nil
}

// sign signs the entry as signer ("root" or an admin's name), as a new
// version.
func (e *dirEntry) sign(signer string, key ed25519.PrivateKey) {
	e.SignedBy = signer
	e.Version++
	e.Sig = ed25519.Sign(key, e.signable())
}

// getEntry reads a user's entry.
func getEntry(tx *bolt.Tx, name string) (*dirEntry, error) {
	v := tx.Bucket(bucketDirectory).Get([]byte(name))
	if v == nil {
		return nil, fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	e, err := decodeDirEntry(v)
	if err != nil {
		return nil, corrupt("directory entry "+name, err)
	}
	return e, nil
}

// putEntry writes a user's entry.
func putEntry(tx *bolt.Tx, e *dirEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store: encoding directory entry: %w", err)
	}
	return tx.Bucket(bucketDirectory).Put([]byte(e.User.Name), b)
}

// verifyEntry checks an entry's signature chain up to the org root key: it
// is signed by the root, or by an admin whose own entry verifies.
func verifyEntry(tx *bolt.Tx, root ed25519.PublicKey, e *dirEntry) error {
	for depth := 0; depth < 16; depth++ {
		if e.SignedBy == rootSigner {
			if !ed25519.Verify(root, e.signable(), e.Sig) {
				return corrupt("the signature on directory entry "+e.User.Name, nil)
			}
			return nil
		}
		signer, err := getEntry(tx, e.SignedBy)
		if err != nil {
			return corrupt("the signer of directory entry "+e.User.Name, err)
		}
		if signer.User.Role != core.RoleAdmin || signer.User.Disabled {
			return corrupt("directory entry "+e.User.Name+" is signed by a non-admin", nil)
		}
		if !ed25519.Verify(signer.SignPub, e.signable(), e.Sig) {
			return corrupt("the signature on directory entry "+e.User.Name, nil)
		}
		e = signer
	}
	return corrupt("directory signature chain is too long", nil)
}
