package store

import (
	"crypto/ed25519"
	"fmt"

	"medisecure/core"
)

// Author signatures (core/signature.go): every local change is signed in
// the write path, inside the transaction that records it, with the
// logged-in user's Ed25519 key, and linked after that author's previous
// change on this store. Pulled changes are verified against the
// directory before merge (applyChanges); one that fails is quarantined.

// metaAuthorHead prefixes, in bucketCounters (bucketMeta before schema
// 13), the digest of each author's newest change on this store: the Prev
// of their next one.
const metaAuthorHead = "author_head/"

// ErrNoSigningKey is returned when a session that holds no signing key
// (a terminal key's read-only session) tries to write.
var ErrNoSigningKey = core.NewError(core.ClassAuth, "store: this session holds no signing key; log in with your passphrase to write")

// signChange signs a local change as the session's user and moves their
// chain head to it.
func (t *txn) signChange(c *core.Change) error {
	if t.s.keys == nil || len(t.s.keys.sign) != ed25519.PrivateKeySize {
		return ErrNoSigningKey
	}
	b := counters(t.tx)
	head := []byte(metaAuthorHead + c.Author)
	d := c.Sign(t.s.keys.sign, b.Get(head))
	return b.Put(head, d[:])
}

// author returns the verified directory entry of a change's author, read
// once per transaction: verifying an entry's signature chain costs an
// Ed25519 check per link.
func (t *txn) author(name string) (*dirEntry, error) {
	if e, ok := t.authors[name]; ok {
		if e == nil {
			return nil, fmt.Errorf("%w: author %q is not in the directory", core.ErrDenied, name)
		}
		return e, nil
	}
	if t.authors == nil {
		t.authors = map[string]*dirEntry{}
	}
	e, err := getEntry(t.tx, name)
	if err == nil {
		err = verifyEntry(t.tx, t.s.db.root, e)
	}
	if err != nil {
		t.authors[name] = nil
		return nil, fmt.Errorf("%w: author %q is not in the directory", core.ErrDenied, name)
	}
	t.authors[name] = e
	return e, nil
}

// authorKey is the public key a change's author signed with at its time:
// a key they held until a reset (core.User.FormerKeys) for a change made
// before it, else their current one; nil when the directory has none
// that verifies.
func (t *txn) authorKey(c *core.Change) ed25519.PublicKey {
	e, err := t.author(c.Author)
	if err != nil {
		return nil
	}
	for _, f := range e.User.FormerKeys {
		if c.HLC < f.Until {
			return f.Public
		}
	}
	return e.SignPub
}
