package store

import (
	"bytes"
	"crypto/ed25519"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// verifiedDir remembers the directory entries whose signature chain
// verified, with the stored bytes of every entry of that chain and the
// root key it ended in. A verdict depends on nothing else, so while those
// bytes are unchanged it stands: a lookup then costs a few bbolt reads
// instead of a JSON decode and an Ed25519 check per link (every booking
// looks its doctor up). Any write to an entry of the chain changes its
// bytes, and the next lookup verifies again.
type verifiedDir struct {
	mu sync.Mutex
	m  map[string]*verifiedChain
}

// verifiedChain is one verified entry: names[0] is the entry, each next
// name the signer of the one before, up to an entry signed by root; raw
// holds their stored bytes.
type verifiedChain struct {
	root  ed25519.PublicKey
	names []string
	raw   [][]byte
	entry *dirEntry
}

// lookup returns the verified entry of name, verifying its chain when the
// stored bytes differ from what was verified before. The entry returned is
// shared: callers only read it.
func (d *verifiedDir) lookup(tx *bolt.Tx, root ed25519.PublicKey, name string) (*dirEntry, error) {
	dir := tx.Bucket(bucketDirectory)
	d.mu.Lock()
	c := d.m[name]
	d.mu.Unlock()
	if c != nil && c.holds(dir, root) {
		return c.entry, nil
	}
	e, err := getEntry(tx, name)
	if err != nil {
		return nil, err
	}
	if err := verifyEntry(tx, root, e); err != nil {
		return nil, err
	}
	c = &verifiedChain{root: root, entry: e}
	for cur, n := e, name; ; {
		c.names = append(c.names, n)
		c.raw = append(c.raw, bytes.Clone(dir.Get([]byte(n))))
		if cur.SignedBy == rootSigner {
			break
		}
		n = cur.SignedBy
		if cur, err = getEntry(tx, n); err != nil {
			return e, nil // verified above; only the memo is not kept
		}
	}
	d.mu.Lock()
	if d.m == nil {
		d.m = map[string]*verifiedChain{}
	}
	d.m[name] = c
	d.mu.Unlock()
	return e, nil
}

// holds reports whether the chain's entries are stored as they were
// verified, under the same root key.
func (c *verifiedChain) holds(dir *bolt.Bucket, root ed25519.PublicKey) bool {
	if !bytes.Equal(c.root, root) {
		return false
	}
	for i, n := range c.names {
		if v := dir.Get([]byte(n)); v == nil || !bytes.Equal(v, c.raw[i]) {
			return false
		}
	}
	return true
}
