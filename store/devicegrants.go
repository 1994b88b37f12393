package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/nacl/box"

	"medisecure/core"
)

// Epoch keys granted to devices. A user's grant of an epoch's org key
// travels in the directory, and a revoked laptop holds its users' sealed
// keys: if the server forgot the revocation (a restored copy, an edited
// file) it could hand the laptop the rotated directory and the batches
// after it. So every epoch a rotation starts also has a device share, a
// random secret sealed to the X25519 key of each device that stays; the
// key that seals the epoch's batches and changes is the org (or class) key
// mixed with the share. A revoked device is given no share, and nothing
// the server can do gives it one: it stays blind to everything sealed
// after its revocation. Epochs from before any rotation (and from before
// this scheme) have no shares and use their keys as they are.

// deviceShare is one device's share of an epoch, signed by the org root
// key or an admin whose directory entry verifies.
type deviceShare struct {
	Epoch     int    `json:"epoch"`
	Device    string `json:"device"`
	DevicePub []byte `json:"device_pub"`
	// Sealed is the epoch's share sealed to the device's X25519 key (an
	// anonymous nacl box).
	Sealed   []byte `json:"sealed"`
	SignedBy string `json:"signed_by"`
	Sig      []byte `json:"sig,omitempty"`
}

// shareDomain starts what a share's signature covers.
const shareDomain = "medisecure device share v1\x00"

// sharedSecretSize is the length of a share.
const sharedSecretSize = 32

// signable is what the share's signature covers.
func (d *deviceShare) signable() []byte {
	b, _ := json.Marshal(struct {
		Epoch     int    `json:"epoch"`
		Device    string `json:"device"`
		DevicePub []byte `json:"device_pub"`
		Sealed    []byte `json:"sealed"`
		SignedBy  string `json:"signed_by"`
	}{d.Epoch, d.Device, d.DevicePub, d.Sealed, d.SignedBy})
	return append([]byte(shareDomain), b...)
}

// shareEntry is how a share travels among the directory's entries.
type shareEntry struct {
	Share *deviceShare `json:"device_share"`
}

// decodeShare parses a share as it travels or is stored. It never panics.
func decodeShare(b []byte) (*deviceShare, error) {
	var e shareEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	d := e.Share
	switch {
	case d == nil:
		return nil, errors.New("not a device share")
	case d.Epoch < 1 || d.Epoch > 1<<30:
		return nil, fmt.Errorf("device share of epoch %d", d.Epoch)
	case len(d.DevicePub) != ed25519.PublicKeySize || d.Device != DeviceIDOf(d.DevicePub):
		return nil, errors.New("device share names a malformed device")
	case len(d.Sealed) != sharedSecretSize+box.AnonymousOverhead:
		return nil, errors.New("device share is malformed")
	case d.SignedBy == "" || len(d.Sig) != ed25519.SignatureSize:
		return nil, errors.New("device share is not signed")
	}
	return d, nil
}

// isShare reports whether a directory entry as it travels is a device
// share.
func isShare(raw []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte(`{"device_share"`))
}

// shareKey is where a share lives in bucketShares.
func shareKey(epoch int, device string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(epoch)), device...)
}

// verifyShare checks a share's signature: by the org root key, or by an
// admin whose directory entry verifies.
func verifyShare(tx *bolt.Tx, root ed25519.PublicKey, d *deviceShare) error {
	if d.SignedBy == rootSigner {
		if !ed25519.Verify(root, d.signable(), d.Sig) {
			return corrupt("the signature on a device share", nil)
		}
		return nil
	}
	signer, err := getEntry(tx, d.SignedBy)
	if err != nil {
		return corrupt("the signer of a device share", err)
	}
	if signer.User.Role != core.RoleAdmin || signer.User.Disabled {
		return corrupt("a device share signed by a non-admin", nil)
	}
	if err := verifyEntry(tx, root, signer); err != nil {
		return err
	}
	if !ed25519.Verify(signer.SignPub, d.signable(), d.Sig) {
		return corrupt("the signature on a device share", nil)
	}
	return nil
}

// putShare files a verified share unless the store has one for the same
// epoch and device; it reports whether it filed it.
func putShare(tx *bolt.Tx, d *deviceShare) (bool, error) {
	b, err := tx.CreateBucketIfNotExists(bucketShares)
	if err != nil {
		return false, err
	}
	key := shareKey(d.Epoch, d.Device)
	if b.Get(key) != nil {
		return false, nil
	}
	return true, b.Put(key, mustJSON(shareEntry{Share: d}))
}

// bound reports whether an epoch has device shares, in tx.
func bound(tx *bolt.Tx, epoch int) bool {
	b := tx.Bucket(bucketShares)
	if b == nil {
		return false
	}
	prefix := binary.BigEndian.AppendUint64(nil, uint64(epoch))
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// ErrNoDeviceGrant is returned when an epoch's data needs this device's
// share of the epoch and it was given none: it was revoked before the
// epoch began.
var ErrNoDeviceGrant = core.NewError(core.ClassSync, "store: this device holds no grant of the key epoch")

// shareCache holds the shares this device opened, by epoch; nil for an
// epoch without shares.
type shareCache struct {
	mu     sync.Mutex
	shares map[int][]byte
	known  map[int]bool
}

// epochShare returns this device's share of an epoch, nil for an epoch
// without shares, or ErrNoDeviceGrant.
func (db *DB) epochShare(epoch int) ([]byte, error) {
	c := &db.keys.shares
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known[epoch] {
		return c.shares[epoch], nil
	}
	var sealed []byte
	isBound := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		isBound = bound(tx, epoch)
		if b := tx.Bucket(bucketShares); b != nil {
			if v := b.Get(shareKey(epoch, db.dev.ID)); v != nil {
				d, err := decodeShare(v)
				if err != nil {
					return corrupt("this device's share of epoch "+fmt.Sprint(epoch), err)
				}
				sealed = d.Sealed
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !isBound {
		return nil, nil // not remembered: shares may still arrive
	}
	if sealed == nil {
		return nil, fmt.Errorf("%w: device %s was given no share of epoch %d (revoked before it began?)", ErrNoDeviceGrant, db.dev.ID, epoch)
	}
	priv, pub := deviceBoxKeys(db.keys.device)
	share, ok := box.OpenAnonymous(nil, sealed, &pub, &priv)
	if !ok || len(share) != sharedSecretSize {
		return nil, corrupt("this device's share of epoch "+fmt.Sprint(epoch), nil)
	}
	if c.shares == nil {
		c.shares, c.known = map[int][]byte{}, map[int]bool{}
	}
	c.shares[epoch], c.known[epoch] = share, true
	return share, nil
}

// epochKey is the key that seals an epoch's batches or changes: raw (an
// org or class key of the epoch) mixed with this device's share of the
// epoch when the epoch has shares.
func (db *DB) epochKey(epoch int, raw []byte) ([]byte, error) {
	share, err := db.epochShare(epoch)
	if err != nil || share == nil {
		return raw, err
	}
	return derive(share, "medisecure epoch key v1\x00"+string(raw)), nil
}

// deviceBoxKeys are the X25519 keys of a device: the private key derived
// from its Ed25519 seed as RFC 8032 does, so that its public half follows
// from the Ed25519 public key (edwardsToMontgomery) and the org root's
// device records need no second key.
func deviceBoxKeys(dev ed25519.PrivateKey) (priv, pub [32]byte) {
	h := sha512.Sum512(dev.Seed())
	copy(priv[:], h[:32])
	pub, _ = edwardsToMontgomery(dev.Public().(ed25519.PublicKey))
	return priv, pub
}

// fieldP is the prime of Curve25519's field, 2^255 - 19.
var fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// edwardsToMontgomery maps an Ed25519 public key to the X25519 public key
// of the same secret: u = (1 + y) / (1 - y) mod p. Public data only, so
// big.Int's timing does not matter.
func edwardsToMontgomery(pub ed25519.PublicKey) ([32]byte, bool) {
	var out [32]byte
	if len(pub) != ed25519.PublicKeySize {
		return out, false
	}
	le := make([]byte, 32)
	copy(le, pub)
	le[31] &= 0x7f
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		le[i], le[j] = le[j], le[i]
	}
	y := new(big.Int).SetBytes(le)
	den := new(big.Int).Sub(big.NewInt(1), y)
	den.Mod(den, fieldP)
	inv := new(big.Int).ModInverse(den, fieldP)
	if inv == nil {
		return out, false
	}
	u := new(big.Int).Add(big.NewInt(1), y)
	u.Mul(u, inv).Mod(u, fieldP)
	be := u.FillBytes(make([]byte, 32))
	for i := 0; i < 32; i++ {
		out[i] = be[31-i]
	}
	return out, true
}

// newShares makes the device shares of a new epoch for every device given
// and this one, signed by the org root key.
func newShares(epoch int, devices map[string]ed25519.PublicKey, root ed25519.PrivateKey) ([]*deviceShare, error) {
	secret := randomKey()
	var out []*deviceShare
	for id, pub := range devices {
		d, err := shareFor(epoch, id, pub, secret, root)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// shareFor seals an epoch's share to one device and signs it as root.
func shareFor(epoch int, id string, pub ed25519.PublicKey, secret []byte, root ed25519.PrivateKey) (*deviceShare, error) {
	if DeviceIDOf(pub) != id {
		return nil, fmt.Errorf("%w: device %s does not go with its key", core.ErrInvalid, id)
	}
	xpub, ok := edwardsToMontgomery(pub)
	if !ok {
		return nil, fmt.Errorf("%w: device %s has a malformed key", core.ErrInvalid, id)
	}
	sealed, err := box.SealAnonymous(nil, secret, &xpub, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("store: sealing a device share: %w", err)
	}
	d := &deviceShare{Epoch: epoch, Device: id, DevicePub: append([]byte(nil), pub...), Sealed: sealed, SignedBy: rootSigner}
	d.Sig = ed25519.Sign(root, d.signable())
	return d, nil
}

// boundEpochs lists the epochs with device shares, in tx.
func boundEpochs(tx *bolt.Tx) []int {
	b := tx.Bucket(bucketShares)
	if b == nil {
		return nil
	}
	var out []int
	c := b.Cursor()
	for k, _ := c.First(); len(k) >= 8; {
		e := int(binary.BigEndian.Uint64(k[:8]))
		out = append(out, e)
		k, _ = c.Seek(binary.BigEndian.AppendUint64(nil, uint64(e+1)))
	}
	return out
}

// sharesFor makes, for a device new to the organisation, this store's
// share of every epoch with shares that this device holds, signed by the
// org root key.
func (s *Session) sharesFor(tx *bolt.Tx, pub ed25519.PublicKey) ([]*deviceShare, error) {
	seed, ok := s.heldRootSeed()
	if !ok {
		return nil, &core.DeniedError{Role: s.user.Role, Action: core.ActCreate, Kind: core.KindDevice, Reason: "this admin holds no grant of the org root key"}
	}
	root := ed25519.NewKeyFromSeed(seed)
	var out []*deviceShare
	for _, e := range boundEpochs(tx) {
		share, err := s.db.epochShare(e)
		if errors.Is(err, ErrNoDeviceGrant) {
			continue // this device cannot pass on what it was not given
		}
		if err != nil {
			return nil, err
		}
		d, err := shareFor(e, DeviceIDOf(pub), pub, share, root)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// GrantDevice gives a device this admin adds to the organisation (an
// invited workstation) its share of every key epoch with shares, so that it
// opens them as the devices that were there when they began. The shares
// travel in the directory. Only admins may; it returns a
// *core.DeniedError for others.
func (s *Session) GrantDevice(pub ed25519.PublicKey) error {
	if err := s.authorize(core.ActCreate, core.KindDevice); err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: a device key is %d bytes", core.ErrInvalid, ed25519.PublicKeySize)
	}
	var shares []*deviceShare
	err := s.db.bolt.View(func(tx *bolt.Tx) (err error) {
		shares, err = s.sharesFor(tx, pub)
		return err
	})
	if err != nil || len(shares) == 0 {
		return err
	}
	return s.db.bolt.Update(func(tx *bolt.Tx) error {
		for _, d := range shares {
			if _, err := putShare(tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// importShares files the device shares among directory entries that
// verify, in tx; it returns how many were new, or the first that does not
// verify.
func importShares(tx *bolt.Tx, root ed25519.PublicKey, raws [][]byte) (int, error) {
	n := 0
	for i, raw := range raws {
		d, err := decodeShare(raw)
		if err != nil {
			return n, fmt.Errorf("%w: entry %d: %v", ErrBadDirectory, i, err)
		}
		if err := verifyShare(tx, root, d); err != nil {
			return n, fmt.Errorf("%w: the share of device %s in epoch %d: %v", ErrBadDirectory, d.Device, d.Epoch, err)
		}
		filed, err := putShare(tx, d)
		if err != nil {
			return n, err
		}
		if filed {
			n++
		}
	}
	return n, nil
}

// splitShares separates the device shares from the user entries of a
// directory as it travels.
func splitShares(entries [][]byte) (users, shares [][]byte) {
	for _, e := range entries {
		if isShare(e) {
			shares = append(shares, e)
		} else {
			users = append(users, e)
		}
	}
	return users, shares
}
