package envelope

import (
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"testing"

	"medisecure/core"
)

// testAuthorKey signs the fixture's changes as their author.
var testAuthorKey = ed25519.NewKeyFromSeed(seed("fixture author key"))

// authorKeys knows the fixture author's public key only.
func authorKeys(c *core.Change) ed25519.PublicKey {
	if c.Author == "reception" {
		return testAuthorKey.Public().(ed25519.PublicKey)
	}
	return nil
}

// signedChanges are testChanges signed and chained by their author, with
// a second author's change between them.
func signedChanges(tb testing.TB, n int) []core.Change {
	tb.Helper()
	out := testChanges(tb, testDevice, 1, n)
	var prev []byte
	for i := range out {
		if i == n/2 {
			out[i].Author = "drwho" // unknown to authorKeys; its own chain
			out[i].Sign(ed25519.NewKeyFromSeed(seed("another author")), nil)
			continue
		}
		out[i].Sign(testAuthorKey, prev)
		d := out[i].Digest()
		prev = d[:]
	}
	return out
}

// A batch carries one signature per author's chain of changes and no
// Prev a receiver can work out, and opens to changes that verify as the
// sealed ones did.
func TestSignedChangesTravelCompacted(t *testing.T) {
	changes := signedChanges(t, 9)
	want := core.VerifyAuthors(changes, authorKeys)
	b, err := Seal(changes, testOrgKey, testEpoch, testOrg, testDevice, 1, 9, testDevKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(b, testKeys, testDevPub)
	if err != nil {
		t.Fatal(err)
	}
	sigs := 0
	for _, c := range got {
		if len(c.Sig) > 0 {
			sigs++
		}
	}
	if sigs != 2 {
		t.Fatalf("%d signatures travelled; want 2, one per author (a chain runs on past another author's change)", sigs)
	}
	for i := range got {
		if string(got[i].Prev) != string(changes[i].Prev) {
			t.Fatalf("change %d's Prev was not restored", i)
		}
	}
	if v := core.VerifyAuthors(got, authorKeys); !slices.Equal(v, want) {
		t.Fatalf("verdicts after the trip %q, before %q", v, want)
	}
	if want[0] != "" || want[len(want)/2] == "" {
		t.Fatalf("fixture verdicts %q: the real author's changes verify, the other's does not", want)
	}
	if len(changes[0].Sig) == 0 {
		t.Fatal("sealing stripped the caller's signatures")
	}
}

// FuzzSignedPayload feeds arbitrary plaintext to the decoder of a batch's
// signed changes: decoding and verifying must not panic, and what decodes
// verifies the same after it is encoded and decoded again, so compacting
// signatures never turns a refused change into an accepted one.
func FuzzSignedPayload(f *testing.F) {
	changes := signedChanges(f, 6)
	p := Payload{Changes: changes}
	compact, err := p.encode()
	if err != nil {
		f.Fatal(err)
	}
	full, _ := json.Marshal(changes)
	f.Add(compact)
	f.Add(full)
	f.Add([]byte(`{"changes":[],"directory":[{}]}`))
	f.Add([]byte(`[{"kind":"note","id":"x","author":"drwho","prev":"AAAA","sig":"AAAA"}]`))
	f.Fuzz(func(t *testing.T, plain []byte) {
		p, err := decodePayload(plain)
		if err != nil {
			return
		}
		first := core.VerifyAuthors(p.Changes, authorKeys)
		if taken := core.VerifyAuthorsDigested(p.Changes, p.Digests, authorKeys); !slices.Equal(taken, first) {
			t.Fatalf("verdicts with the digests opening computed %q, without %q", taken, first)
		}
		again, err := p.encode()
		if err != nil {
			return
		}
		q, err := decodePayload(again)
		if err != nil {
			t.Fatalf("re-encoded payload does not decode: %v", err)
		}
		for i, why := range core.VerifyAuthors(q.Changes, authorKeys) {
			if why == "" && first[i] != "" {
				t.Fatalf("change %d refused (%s) verifies after a trip", i, first[i])
			}
		}
	})
}

// A change that travels sealed keeps its signature, and so does the change
// before it: a receiver without the key cannot follow a chain through it.
func TestOpaqueChangeBreaksNoChain(t *testing.T) {
	changes := testChanges(t, testDevice, 1, 3)
	var prev []byte
	for i := range changes {
		changes[i].Sign(testAuthorKey, prev)
		d := changes[i].Digest()
		prev = d[:]
	}
	changes[1].Fields = map[string]json.RawMessage{core.OpaquePrefix + "sealed": json.RawMessage(`"c2VhbGVk"`)}
	got := AsOpened(changes)
	for i, c := range got {
		if len(c.Sig) == 0 {
			t.Fatalf("change %d lost its signature beside a sealed change", i)
		}
	}
}

// An opened payload, either form, comes with the digest of each change as
// opened, which verifying takes to the same verdicts.
func TestOpenedPayloadHoldsItsDigests(t *testing.T) {
	changes := signedChanges(t, 9)
	want := core.VerifyAuthors(changes, authorKeys)
	for _, dir := range [][]json.RawMessage{nil, testDirectory} {
		b, err := SealPayload(Payload{Changes: changes, Directory: dir}, testOrgKey, testEpoch, testOrg, testDevice, 1, 9, testDevKey)
		if err != nil {
			t.Fatal(err)
		}
		p, err := OpenPayload(b, testKeys, testDevPub)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p.Changes {
			var sum [core.DigestSize]byte
			if !p.Digests.For(p.Changes, i, &sum) || sum != changes[i].Digest() {
				t.Fatalf("directory %d: change %d's digest is not held, or not its own", len(dir), i)
			}
		}
		if got := core.VerifyAuthorsDigested(p.Changes, p.Digests, authorKeys); !slices.Equal(got, want) {
			t.Fatalf("directory %d: verdicts %q, want %q", len(dir), got, want)
		}
	}
}
