package core

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
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
