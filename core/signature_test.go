package core

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// signedRun makes n changes by author, chained and signed with key.
func signedRun(t testing.TB, key ed25519.PrivateKey, author string, n int) []Change {
	t.Helper()
	out := make([]Change, n)
	var prev []byte
	for i := range out {
		out[i] = Change{
			Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", i+1)), Author: author, Device: "dev", Seq: uint64(i + 1),
			HLC:    MakeHLC(1_700_000_000_000+int64(i), 0),
			Fields: map[string]json.RawMessage{"name": json.RawMessage(fmt.Sprintf(`"Patient <%d> & co"`, i))},
		}
		out[i].Sign(key, prev)
		d := out[i].Digest()
		prev = d[:]
	}
	return out
}

func seededKey(t testing.TB, seed int64) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.New(rand.NewSource(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestSignedRunVerifiesThroughItsLastSignature(t *testing.T) {
	pub, priv := seededKey(t, 1)
	keys := func(c *Change) ed25519.PublicKey {
		if c.Author == "desk" {
			return pub
		}
		return nil
	}
	run := signedRun(t, priv, "desk", 50)
	for i := range run[:len(run)-1] {
		run[i].Sig = nil
	}
	for i, why := range VerifyAuthors(run, keys) {
		if why != "" {
			t.Fatalf("change %d of a chained run: %s", i, why)
		}
	}
	// Altering change 20 breaks it and everything the chain reached
	// through it; the changes after it still verify.
	run[20].Fields["name"] = json.RawMessage(`"Altered"`)
	for i, why := range VerifyAuthors(run, keys) {
		if (i <= 20) != (why != "") {
			t.Fatalf("after altering change 20, change %d: %q", i, why)
		}
	}
}

func TestVerifyAuthorsRefuses(t *testing.T) {
	pub, priv := seededKey(t, 2)
	_, other := seededKey(t, 3)
	keys := func(c *Change) ed25519.PublicKey {
		if c.Author == "desk" || c.Author == "drwho" {
			return pub
		}
		return nil
	}
	good := signedRun(t, priv, "desk", 1)[0]
	forged := signedRun(t, other, "drwho", 1)[0]
	unsigned := good
	unsigned.Sig, unsigned.Prev = nil, nil
	stranger := signedRun(t, priv, "mallory", 1)[0]
	renamed := good
	renamed.Author = "drwho"
	relinked := good
	relinked.Prev = make([]byte, 5)
	for _, tc := range []struct {
		name string
		c    Change
		says string
	}{
		{"good", good, ""},
		{"forged", forged, "signature of its author drwho does not verify"},
		{"unsigned", unsigned, "not signed by its author desk"},
		{"unknown author", stranger, "mallory has no key"},
		{"author renamed", renamed, "signature of its author drwho does not verify"},
		{"malformed prev", relinked, "does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := VerifyAuthors([]Change{tc.c}, keys)[0]
			if tc.says == "" && why != "" || !strings.Contains(why, tc.says) {
				t.Fatalf("got %q, want %q", why, tc.says)
			}
		})
	}
}

// A chain link is only followed from a change that verifies: a forged
// change naming a real one as its Prev vouches for nothing, and a real
// change stays verified beside it.
func TestForgedLinkVouchesForNothing(t *testing.T) {
	pub, priv := seededKey(t, 4)
	_, other := seededKey(t, 5)
	keys := func(*Change) ed25519.PublicKey { return pub }
	run := signedRun(t, priv, "desk", 2)
	run[0].Sig = nil // it relies on run[1]
	d := run[1].Digest()
	forged := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", 99)), Author: "desk", Device: "dev", Seq: 3, HLC: run[1].HLC + 1,
		Fields: map[string]json.RawMessage{"name": json.RawMessage(`"x"`)}}
	forged.Sign(other, d[:])
	why := VerifyAuthors(append(run, forged), keys)
	if why[0] != "" || why[1] != "" || why[2] == "" {
		t.Fatalf("verdicts %q", why)
	}
}

// The digest reads a value as JSON transport escapes it.
func TestDigestSurvivesHTMLEscaping(t *testing.T) {
	c := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", 1)), Author: "desk", Fields: map[string]json.RawMessage{"name": json.RawMessage(`"<a> & b"`)}}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Change
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Fields["name"]) == string(c.Fields["name"]) {
		t.Fatal("the round trip did not escape; the test proves nothing")
	}
	if back.Digest() != c.Digest() {
		t.Fatal("the digest changed in a JSON round trip")
	}
}

func BenchmarkVerifyAuthorsRun(b *testing.B) {
	pub, priv := seededKey(b, 6)
	run := signedRun(b, priv, "desk", 500)
	for i := range run[:len(run)-1] {
		run[i].Sig = nil
	}
	keys := func(*Change) ed25519.PublicKey { return pub }
	b.ResetTimer()
	for range b.N {
		VerifyAuthors(run, keys)
	}
}

func BenchmarkDigest(b *testing.B) {
	c := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", 1)), Author: "desk", HLC: 1 << 40, Prev: make([]byte, DigestSize), Fields: map[string]json.RawMessage{}}
	for _, f := range []string{"name", "dob", "phone", "email", "created_at", "updated_at", "created_by", "address", "insurer", "notes"} {
		c.Fields[f] = json.RawMessage(`"some value of a realistic length 2026-12-02T08:00:00Z"`)
	}
	b.ReportAllocs()
	for range b.N {
		c.Digest()
	}
}

// countDigests counts the Digest calls f makes.
func countDigests(t *testing.T, f func()) int {
	t.Helper()
	var n atomic.Int64
	onDigest = func() { n.Add(1) }
	defer func() { onDigest = nil }()
	f()
	return int(n.Load())
}

// compacted is run as a batch carries it: no Prev a receiver works out
// from the change before, one signature at the end.
func compacted(run []Change) []Change {
	out := make([]Change, len(run))
	copy(out, run)
	for i := range out {
		if i > 0 {
			out[i].Prev = nil
		}
		if i < len(out)-1 {
			out[i].Sig = nil
		}
	}
	return out
}

// RestoreChain gives back every Prev a chain implies, digesting each
// change once; verifying the same slice takes those digests and computes
// none.
func TestRestoreChainDigestsOnce(t *testing.T) {
	pub, priv := seededKey(t, 3)
	keys := func(c *Change) ed25519.PublicKey { return pub }
	run := signedRun(t, priv, "desk", 1500) // long enough for digestAll's workers
	got := compacted(run)
	var d *Digests
	if n := countDigests(t, func() { d = RestoreChain(got) }); n != len(got) {
		t.Fatalf("RestoreChain computed %d digests of %d changes; want one each", n, len(got))
	}
	for i := range got {
		if string(got[i].Prev) != string(run[i].Prev) {
			t.Fatalf("change %d's Prev not restored", i)
		}
		var sum [DigestSize]byte
		if !d.For(got, i, &sum) || sum != run[i].Digest() {
			t.Fatalf("change %d: digest held %x, want %x", i, sum, run[i].Digest())
		}
	}
	var why []string
	if n := countDigests(t, func() { why = VerifyAuthorsDigested(got, d, keys) }); n != 0 {
		t.Fatalf("verifying the very slice digested computed %d digests; want none", n)
	}
	for i, w := range why {
		if w != "" {
			t.Fatalf("change %d: %s", i, w)
		}
	}
	// Another slice of the same changes is digested again.
	other := append([]Change(nil), got...)
	if n := countDigests(t, func() { why = VerifyAuthorsDigested(other, d, keys) }); n != len(other) {
		t.Fatalf("verifying a copy computed %d digests; want %d", n, len(other))
	}
	if n := countDigests(t, func() { VerifyAuthorsDigested(got[:len(got)-1], d, keys) }); n != len(got)-1 {
		t.Fatalf("verifying a shorter slice computed %d digests; want %d", n, len(got)-1)
	}
}

// A change altered after its digest was taken, by any means Digests can
// see, is digested again, and the alteration fails verification as it
// would without the digests.
func TestDigestsTakeNoAlteredChange(t *testing.T) {
	pub, priv := seededKey(t, 4)
	keys := func(c *Change) ed25519.PublicKey { return pub }
	for _, tc := range []struct {
		name  string
		alter func(c *Change)
	}{
		{"fields replaced", func(c *Change) { c.Fields = map[string]json.RawMessage{"name": json.RawMessage(`"Forged"`)} }},
		{"field added", func(c *Change) { c.Fields["dob"] = json.RawMessage(`"1990-01-01"`) }},
		{"field removed", func(c *Change) { delete(c.Fields, "name") }},
		{"kind", func(c *Change) { c.Kind = KindAppointment }},
		{"id", func(c *Change) { c.ID = ID(fmt.Sprintf("%024x", 999)) }},
		{"author", func(c *Change) { c.Author = "mallory" }},
		{"hlc", func(c *Change) { c.HLC++ }},
		{"prev set anew", func(c *Change) { c.Prev = make([]byte, DigestSize) }},
		{"prev changed in place", func(c *Change) { c.Prev[0] ^= 1 }},
		{"replaced whole", func(c *Change) {
			*c = Change{Kind: c.Kind, ID: c.ID, Author: c.Author, Device: c.Device, Seq: c.Seq, HLC: c.HLC, Prev: c.Prev, Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Forged"`)}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := compacted(signedRun(t, priv, "desk", 8))
			d := RestoreChain(got)
			tc.alter(&got[3])
			want := VerifyAuthors(got, keys)
			if want[3] == "" {
				t.Fatalf("the alteration verifies even without digests: %q", want)
			}
			var why []string
			if n := countDigests(t, func() { why = VerifyAuthorsDigested(got, d, keys) }); n != 1 {
				t.Fatalf("computed %d digests; want 1, the altered change's", n)
			}
			if !slices.Equal(why, want) {
				t.Fatalf("with digests %q, without %q", why, want)
			}
		})
	}
}

// digestBefore is Digest as it was first written (sorting the names,
// then looking each value up): the bytes Digest must keep.
func digestBefore(c *Change) [DigestSize]byte {
	names := make([]string, 0, len(c.Fields))
	for n := range c.Fields {
		names = append(names, n)
	}
	slices.Sort(names)
	b := append([]byte(nil), changeDomain...)
	b = appendShort(b, string(c.Kind))
	b = appendShort(b, string(c.ID))
	b = appendShort(b, c.Author)
	b = binary.BigEndian.AppendUint64(b, uint64(c.HLC))
	var prev [DigestSize]byte
	copy(prev[:], c.Prev)
	b = append(b, prev[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(names)))
	for _, n := range names {
		b = binary.BigEndian.AppendUint16(b, uint16(len(n)))
		b = append(b, n...)
		v := []byte(c.Fields[n])
		var esc bytes.Buffer
		json.HTMLEscape(&esc, v)
		b = binary.BigEndian.AppendUint32(b, uint32(esc.Len()))
		b = append(b, esc.Bytes()...)
	}
	return sha256.Sum256(b)
}

// drawnChange is a change drawn from r: any number of fields (past the
// sizes Digest sorts differently), names sharing prefixes, values with
// the bytes JSON escapes, any Prev.
func drawnChange(r *rand.Rand) Change {
	pick := func(from ...string) string { return from[r.Intn(len(from))] }
	c := Change{
		Kind: Kind(pick("patient", "appointment", "note", "")), ID: ID(fmt.Sprintf("%024x", r.Int63())),
		Author: pick("desk", "drwho", "", strings.Repeat("a", 300)), HLC: HLC(r.Uint64()),
	}
	switch r.Intn(4) {
	case 0:
	case 1:
		c.Prev = make([]byte, DigestSize)
		r.Read(c.Prev)
	default:
		c.Prev = make([]byte, r.Intn(40))
		r.Read(c.Prev)
	}
	if r.Intn(8) == 0 {
		return c // no fields map at all
	}
	n := r.Intn(40)
	c.Fields = make(map[string]json.RawMessage, n)
	for range n {
		name := pick("", "a", "ab", "b", "name", "name_2", "né", "Z", "~sealed") + pick("", "", "x", "_at", "\u2028")
		c.Fields[name] = json.RawMessage(pick(`"plain"`, `"a < b & c"`, `"line\u2028sep"`, "\"raw \u2029\"", `15`, `null`, `{"k":[1,2]}`, `"\u003c"`, ``))
	}
	return c
}

// Digest gives the bytes it always gave, over drawn changes.
func TestDigestKeepsItsBytes(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := range 20000 {
		c := drawnChange(r)
		if got, want := c.Digest(), digestBefore(&c); got != want {
			t.Fatalf("change %d %+v: digest %x, before %x", i, c, got, want)
		}
	}
}

// realisticChange is a patient change as a workstation writes one.
func realisticChange() Change {
	c := Change{Kind: KindPatient, ID: ID(fmt.Sprintf("%024x", 1)), Author: "desk", HLC: 1 << 40, Prev: make([]byte, DigestSize), Fields: map[string]json.RawMessage{}}
	for _, f := range []string{"address", "consent", "created_at", "created_by", "deleted", "dob", "email", "emergency_contact", "id", "insurance_number", "insurer_name", "name", "phone", "sex", "updated_at"} {
		c.Fields[f] = json.RawMessage(`"some value 2026-12-02T08:00:00Z"`)
	}
	return c
}

func BenchmarkDigestPatient(b *testing.B) {
	c := realisticChange()
	b.ReportAllocs()
	for range b.N {
		c.Digest()
	}
}
