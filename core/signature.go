package core

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Author signatures. Every change is signed at write time by the user who
// made it, with the Ed25519 key of their directory entry, so a device can
// not write as anyone but the users who logged in on it.
//
// A change's digest (Digest) covers its kind, ID, fields, author, HLC and
// Prev, the digest of the same author's previous change on the same
// store: an author's changes form a hash chain, and one valid signature
// vouches for every change the chain reaches back from it. That is what
// makes verification cheap: a receiver checks one signature per run of an
// author's changes in a batch (VerifyAuthors), not one per change. The
// device and sequence are left out: a copied store re-numbers its pending
// changes under a new device (store.NewDeviceIdentity) without its authors,
// and the same signed change under another device merges to the same
// record.

// DigestSize is the length of a change digest and of Change.Prev.
const DigestSize = sha256.Size

// changeDomain keeps a change digest from meaning anything else.
const changeDomain = "medisecure change v1\x00"

// Digest is the SHA-256 of the change's canonical form: the bytes its
// author signs. Field values are taken as JSON encoding escapes them for
// transport (<, >, & and the line separators as \u escapes), so a value
// reads the same before and after a round trip.
func (c *Change) Digest() [DigestSize]byte {
	if onDigest != nil {
		onDigest()
	}
	var few [24]member
	fields := sortedFields(few[:0], c.Fields)
	d := digestPool.Get().(*digester)
	defer digestPool.Put(d)
	b := append(d.buf[:0], changeDomain...)
	b = appendShort(b, string(c.Kind))
	b = appendShort(b, string(c.ID))
	b = appendShort(b, c.Author)
	b = binary.BigEndian.AppendUint64(b, uint64(c.HLC))
	var prev [DigestSize]byte
	copy(prev[:], c.Prev)
	b = append(b, prev[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(fields)))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.name)))
		b = append(b, f.name...)
		v := []byte(f.value)
		if jsonRewrites(v) {
			d.esc.Reset()
			json.HTMLEscape(&d.esc, v)
			v = d.esc.Bytes()
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	d.buf = b
	return sha256.Sum256(b)
}

// sortedFields appends fields to dst, sorted by name. A change has a
// dozen or two: they are sorted by insertion, names and values taken
// together in one walk of the map.
func sortedFields(dst []member, fields map[string]json.RawMessage) []member {
	for name, v := range fields {
		dst = append(dst, member{name, v})
	}
	if len(dst) > 32 {
		slices.SortFunc(dst, func(a, b member) int { return strings.Compare(a.name, b.name) })
		return dst
	}
	for i := 1; i < len(dst); i++ {
		m := dst[i]
		j := i
		for ; j > 0 && nameAfter(dst[j-1].name, m.name); j-- {
			dst[j] = dst[j-1]
		}
		dst[j] = m
	}
	return dst
}

// nameAfter reports whether a sorts after b, deciding on the first bytes
// where they differ, as most names do, without a call.
func nameAfter(a, b string) bool {
	if len(a) > 0 && len(b) > 0 && a[0] != b[0] {
		return a[0] > b[0]
	}
	return a > b
}

// onDigest, when set (by tests), is called on every Digest: it counts
// them.
var onDigest func()

// digester is the scratch space of one Digest, pooled: most changes are
// digested twice on the way in (opening a batch, verifying it).
type digester struct {
	buf []byte
	esc bytes.Buffer
}

var digestPool = sync.Pool{New: func() any { return &digester{buf: make([]byte, 0, 1024)} }}

// appendShort appends a string of at most 255 bytes with its length; a
// longer one (never valid) is cut, which only makes its signature fail.
func appendShort(b []byte, s string) []byte {
	if len(s) > 255 {
		s = s[:255]
	}
	return append(append(b, byte(len(s))), s...)
}

// jsonRewrites reports whether JSON encoding would rewrite some byte of
// v: <, > or &, or U+2028 or U+2029 (which start with 0xE2 in UTF-8).
func jsonRewrites(v []byte) bool {
	for _, b := range v {
		if rewritten[b] {
			return true
		}
	}
	return false
}

// rewritten marks the bytes jsonRewrites looks for.
var rewritten = [256]bool{'<': true, '>': true, '&': true, 0xE2: true}

// OpaquePrefix starts the name of a field that holds a change's fields
// sealed for travel (under a role key) instead of the fields themselves.
const OpaquePrefix = "~"

// Opaque reports whether the change travels sealed: its digest is that of
// the opened change, which a receiver without the key cannot compute, so
// it keeps its own signature and no chain link leans on it.
func (c *Change) Opaque() bool {
	for name := range c.Fields {
		if strings.HasPrefix(name, OpaquePrefix) {
			return true
		}
	}
	return false
}

// Sign makes the change its author's: it links it after prev (the digest
// of the author's previous change, nil for the first, which digests as
// zeros) and signs it. It returns the digest signed: the next change's
// prev.
func (c *Change) Sign(key ed25519.PrivateKey, prev []byte) [DigestSize]byte {
	c.Prev = make([]byte, DigestSize)
	copy(c.Prev, prev)
	d := c.Digest()
	c.Sig = ed25519.Sign(key, d[:])
	return d
}

// VerifyAuthors checks the author signature of each change and returns,
// per change, "" when it verifies or the reason it does not. key returns
// the public key the change's author signed with at the change's time,
// nil when the directory has none. A change
// verifies when its own signature does, or when a change after it in the
// list that verifies, by the same author, names its digest as Prev: so a
// run of one author's changes costs one signature check.
func VerifyAuthors(changes []Change, key func(c *Change) ed25519.PublicKey) []string {
	return VerifyAuthorsDigested(changes, nil, key)
}

// VerifyAuthorsDigested is VerifyAuthors given the digests d computed of
// the changes before (RestoreChain; nil for none): a change's digest is
// taken from d only where Digests.For finds it still the change it was
// computed of, and computed again otherwise.
func VerifyAuthorsDigested(changes []Change, d *Digests, key func(c *Change) ed25519.PublicKey) []string {
	n := len(changes)
	why := make([]string, n)
	if n == 0 {
		return why
	}
	digests := digestAll(changes, d)
	at := make(map[[DigestSize]byte]int, n)
	for i := range digests {
		at[digests[i]] = i
	}
	ok := make([]bool, n)
	for i := n - 1; i >= 0; i-- {
		c := &changes[i]
		if !ok[i] {
			why[i] = verifyOne(c, digests[i], key)
			ok[i] = why[i] == ""
		}
		if !ok[i] || len(c.Prev) != DigestSize {
			continue
		}
		if j, found := at[[DigestSize]byte(c.Prev)]; found && j < i && changes[j].Author == c.Author {
			ok[j] = true
		}
	}
	return why
}

// verifyOne checks one change's own signature.
func verifyOne(c *Change, digest [DigestSize]byte, key func(*Change) ed25519.PublicKey) string {
	if len(c.Sig) == 0 {
		return fmt.Sprintf("not signed by its author %s (made by a version before author signatures, or altered)", c.Author)
	}
	pub := key(c)
	switch {
	case len(pub) != ed25519.PublicKeySize:
		return fmt.Sprintf("its author %s has no key in the directory", c.Author)
	case len(c.Prev) != 0 && len(c.Prev) != DigestSize || !ed25519.Verify(pub, digest[:], c.Sig):
		return fmt.Sprintf("the signature of its author %s does not verify: another device or user wrote it in their name", c.Author)
	}
	return ""
}

// digestAll computes every change's digest, on every core for long lists,
// taking those d holds of changes it finds unchanged (Digests.For).
func digestAll(changes []Change, d *Digests) [][DigestSize]byte {
	out := make([][DigestSize]byte, len(changes))
	if d.of(changes) {
		for i := range changes {
			if !d.For(changes, i, &out[i]) {
				out[i] = changes[i].Digest()
			}
		}
		return out
	}
	workers := runtime.GOMAXPROCS(0)
	const chunk = 512
	if workers < 2 || len(changes) < 2*chunk {
		for i := range changes {
			out[i] = changes[i].Digest()
		}
		return out
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range next {
				for i := start; i < min(start+chunk, len(changes)); i++ {
					out[i] = changes[i].Digest()
				}
			}
		}()
	}
	for start := 0; start < len(changes); start += chunk {
		next <- start
	}
	close(next)
	wg.Wait()
	return out
}

// Digests are the digests of a slice of changes, each computed of its
// change as it was then (RestoreChain), so that verifying the same changes
// (VerifyAuthorsDigested) need not compute them again. A digest is taken
// only for the very slice it was computed of (the same array, the same
// length, not merely equal changes), and only for a change whose digested
// parts are still what they were: the same kind, ID, author, HLC and Prev
// bytes, and the same fields map holding as many fields. A change
// replaced in the slice, or any of those parts set anew, is digested
// again. What it cannot see is a fields map or value changed in place:
// like the changes DecodeChangesJSON gives, whose field values are
// sub-slices of the bytes read, those must not be changed after they are
// digested.
type Digests struct {
	changes []Change
	sums    [][DigestSize]byte
	parts   []digested
}

// digested is what a Digests entry holds of its change to tell it is still
// the change digested.
type digested struct {
	kind    Kind
	id      ID
	author  string
	hlc     HLC
	prev    [DigestSize]byte
	fields  uintptr
	nfields int
}

// digestedOf is what c's digest depends on, the fields map by identity.
func digestedOf(c *Change) digested {
	p := digested{kind: c.Kind, id: c.ID, author: c.Author, hlc: c.HLC, nfields: len(c.Fields)}
	copy(p.prev[:], c.Prev) // what Digest takes of it
	if c.Fields != nil {
		p.fields = reflect.ValueOf(c.Fields).Pointer()
	}
	return p
}

// of reports whether d holds the digests of changes, the very slice.
func (d *Digests) of(changes []Change) bool {
	return d != nil && len(d.changes) == len(changes) && len(changes) > 0 && &d.changes[0] == &changes[0]
}

// For sets *sum to the digest of changes[i] and reports true when d holds
// it: changes is the very slice d was computed of, and changes[i] still
// the change it digested (see Digests). It reports false otherwise.
func (d *Digests) For(changes []Change, i int, sum *[DigestSize]byte) bool {
	if !d.of(changes) || i < 0 || i >= len(changes) || d.parts[i] != digestedOf(&changes[i]) {
		return false
	}
	*sum = d.sums[i]
	return true
}

// RestoreChain gives back each change the Prev its sender may leave out
// when it is implied: a change without one, after a change of its author's
// chain (which has a Prev), follows it, its Prev that change's digest.
// Changes from before signatures have none, and keep none. It returns the
// digest of every change as restored, each computed once.
func RestoreChain(changes []Change) *Digests {
	d := &Digests{changes: changes, sums: make([][DigestSize]byte, len(changes)), parts: make([]digested, len(changes))}
	last := map[string]int{}
	var restored []byte // the restored Prevs, one allocation
	for i := range changes {
		c := &changes[i]
		j, ok := last[c.Author]
		last[c.Author] = i
		if ok && len(c.Prev) == 0 && len(changes[j].Prev) == DigestSize {
			if len(restored) == 0 {
				restored = make([]byte, DigestSize*(len(changes)-i))
			}
			c.Prev = restored[:DigestSize:DigestSize]
			restored = restored[DigestSize:]
			copy(c.Prev, d.sums[j][:])
		}
		d.sums[i] = c.Digest()
		d.parts[i] = digestedOf(c)
	}
	return d
}
