package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
)

// A directory entry's key part (KDF, Salt, Private, and Reset) is not
// signed by the admin who signs the rest: a user changes it alone, with
// clinic passwd, and a reset code's holder changes it once. It is signed by
// the user's own key instead (KeySig over keyPartSignable) and numbered
// (KeyVersion), so that every workstation keeps the newest key part the
// entry's own key signed, whichever copy of the rest it keeps: a
// passphrase change is never undone by an older copy arriving later, and a
// device cannot slip in a key part of its own.

// keyPartSignable is what KeySig covers.
func (e *dirEntry) keyPartSignable() []byte {
	kdf, _ := json.Marshal(e.KDF)
	b := []byte("medisecure key part v1\x00")
	b = append(b, byte(len(e.User.Name)))
	b = append(b, e.User.Name...)
	b = binary.BigEndian.AppendUint64(b, e.KeyVersion)
	if e.Reset {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(kdf)))
	b = append(b, kdf...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.Salt)))
	b = append(b, e.Salt...)
	return append(b, e.Private...)
}

// signKeyPart numbers the key part after version and signs it with key,
// the user's own signing key.
func (e *dirEntry) signKeyPart(version uint64, key ed25519.PrivateKey) {
	e.KeyVersion = version
	e.KeySig = ed25519.Sign(key, e.keyPartSignable())
}

// keyPartValid reports whether the entry's key part was signed by the
// owner of pub; key parts from before signing (version 0, no signature)
// count as valid.
func (e *dirEntry) keyPartValid(pub ed25519.PublicKey) bool {
	if e.KeyVersion == 0 && len(e.KeySig) == 0 {
		return true
	}
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, e.keyPartSignable(), e.KeySig)
}

// keptEntry is what a store keeps of two copies of one user's entry: the
// signed part of the higher version (equal versions: the higher signature,
// so every workstation picks the same), with the newest key part that the
// kept part's signing key signed.
func keptEntry(cur, in *dirEntry) *dirEntry {
	signed, other := cur, in
	if in.Version > cur.Version || in.Version == cur.Version && bytes.Compare(in.Sig, cur.Sig) > 0 {
		signed, other = in, cur
	}
	out := *signed
	mine := out.keyPartValid(out.SignPub)
	if other.keyPartValid(out.SignPub) && (!mine || other.KeyVersion > out.KeyVersion) {
		out.KDF, out.Salt, out.Private, out.Reset = other.KDF, other.Salt, other.Private, other.Reset
		out.KeyVersion, out.KeySig = other.KeyVersion, other.KeySig
	}
	return &out
}
