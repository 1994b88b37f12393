package envelope

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"medisecure/core"
)

// Fixed keys, so that the fixtures in testdata open in every run.
var (
	testOrgKey = seed("fixture org key")
	testDevKey = ed25519.NewKeyFromSeed(seed("fixture device key"))
	testDevPub = testDevKey.Public().(ed25519.PublicKey)
)

const (
	testOrg    = "org-fixture"
	testDevice = "dev-fixture"
	testEpoch  = 1
	// testPatient is plaintext that must never show in a sealed batch.
	testPatient = "Ada Lovelace-Byron"
)

func seed(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// testKeys knows only the org key of testEpoch.
func testKeys(epoch uint32) ([]byte, bool) {
	if epoch == testEpoch {
		return testOrgKey, true
	}
	return nil, false
}

// testChanges makes n patient changes of device with sequences from first.
func testChanges(tb testing.TB, device string, first uint64, n int) []core.Change {
	tb.Helper()
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	out := make([]core.Change, n)
	for i := range out {
		name, _ := json.Marshal(fmt.Sprintf("%s %d", testPatient, i))
		out[i] = core.Change{
			Kind:   core.KindPatient,
			ID:     core.ID(fmt.Sprintf("%024x", i+1)),
			Fields: map[string]json.RawMessage{"name": name, "phone": json.RawMessage(`"+44 20 7946 0000"`)},
			Author: "reception",
			Device: device,
			Seq:    first + uint64(i),
			HLC:    core.MakeHLC(base.Add(time.Duration(i)*time.Second).UnixMilli(), 0),
		}
	}
	return out
}

// sealTest seals n changes from sequence 1 with the fixed keys.
func sealTest(tb testing.TB, n int) *Batch {
	tb.Helper()
	b, err := Seal(testChanges(tb, testDevice, 1, n), testOrgKey, testEpoch, testOrg, testDevice, 1, uint64(n), testDevKey)
	if err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return b
}

// resign signs b again with the test device key, as a holder of that key
// who altered it would.
func resign(b *Batch) {
	b.Signature = ed25519.Sign(testDevKey, b.signed())
}

// clone copies a batch deeply.
func clone(b *Batch) *Batch {
	c := *b
	c.Ciphertext = append([]byte(nil), b.Ciphertext...)
	c.Signature = append([]byte(nil), b.Signature...)
	return &c
}
