package backendtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"medisecure/sync/server"
)

// Run runs the conformance suite against backends that open returns: each
// subtest opens a fresh, empty one (open registers its own cleanup).
func Run(t *testing.T, open func(t *testing.T) server.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b server.Backend)
	}{
		{"RegisterOnce", testRegisterOnce},
		{"UnknownOrg", testUnknownOrg},
		{"Devices", testDevices},
		{"AppendOrdered", testAppendOrdered},
		{"AppendIdempotent", testAppendIdempotent},
		{"AppendOverlap", testAppendOverlap},
		{"AppendGap", testAppendGap},
		{"AppendRefusals", testAppendRefusals},
		{"RangePaging", testRangePaging},
		{"OrgsIsolated", testOrgsIsolated},
		{"Revocation", testRevocation},
		{"Nonces", testNonces},
		{"ConcurrentAppends", testConcurrentAppends},
		{"AppendNonced", testAppendNonced},
		{"HasAfter", testHasAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// epoch0 is the fixed time the suite's records are stamped with, at
// millisecond precision so that every backend stores it exactly.
var epoch0 = time.UnixMilli(1740821400000).UTC()

var ctx = context.Background()

func key(name string) ed25519.PublicKey {
	sum := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(sum[:]).Public().(ed25519.PublicKey)
}

func org(id string) server.Org {
	return server.Org{ID: id, RootKey: key("root " + id), MinEpoch: 1, Created: epoch0}
}

func device(id string) server.Device {
	return server.Device{
		ID: id, PublicKey: key("device " + id), Record: []byte("signed record of " + id),
		Added: epoch0, AddedBy: "root",
	}
}

// register creates org id with first device dev-a.
func register(t *testing.T, b server.Backend, id string) {
	t.Helper()
	if err := b.RegisterOrg(ctx, org(id), device("dev-a")); err != nil {
		t.Fatalf("RegisterOrg(%s): %v", id, err)
	}
}

func addDevice(t *testing.T, b server.Backend, orgID, id string) {
	t.Helper()
	if err := b.AddDevice(ctx, orgID, device(id)); err != nil {
		t.Fatalf("AddDevice(%s, %s): %v", orgID, id, err)
	}
}

func batch(dev string, first, last uint64, epoch uint32) server.Batch {
	return server.Batch{Device: dev, First: first, Last: last, Epoch: epoch,
		Envelope: fmt.Appendf(nil, "sealed %s %d..%d@%d", dev, first, last, epoch)}
}

func appendOK(t *testing.T, b server.Backend, orgID string, bt server.Batch) uint64 {
	t.Helper()
	seq, dup, err := b.Append(ctx, orgID, bt)
	if err != nil || dup {
		t.Fatalf("Append(%s %d..%d): seq %d, duplicate %v, %v", bt.Device, bt.First, bt.Last, seq, dup, err)
	}
	return seq
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

func rangeAll(t *testing.T, b server.Backend, orgID string) []server.Stored {
	t.Helper()
	got, err := b.Range(ctx, orgID, 0, 1<<20)
	if err != nil {
		t.Fatalf("Range: %v", err)
	}
	return got
}

func testRegisterOnce(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	got, err := b.Org(ctx, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	want := org("org-1")
	if got.ID != want.ID || !bytes.Equal(got.RootKey, want.RootKey) || got.MinEpoch != 1 || !got.Created.Equal(want.Created) {
		t.Fatalf("Org: got %+v, want %+v", got, want)
	}
	d, err := b.Device(ctx, "org-1", "dev-a")
	if err != nil {
		t.Fatalf("first device: %v", err)
	}
	if d.Revoked || d.LastSeq != 0 {
		t.Fatalf("first device starts as %+v", d)
	}
	other := org("org-1")
	other.RootKey = key("intruder")
	wantErr(t, "second registration", b.RegisterOrg(ctx, other, device("dev-x")), server.ErrOrgExists)
	if got, _ := b.Org(ctx, "org-1"); !bytes.Equal(got.RootKey, want.RootKey) {
		t.Fatal("a refused registration replaced the root key")
	}
	if _, err := b.Device(ctx, "org-1", "dev-x"); !errors.Is(err, server.ErrUnknownDevice) {
		t.Fatalf("a refused registration added its device: %v", err)
	}
}

func testUnknownOrg(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	const nobody = "org-unknown"
	_, err := b.Org(ctx, nobody)
	wantErr(t, "Org", err, server.ErrUnknownOrg)
	wantErr(t, "AddDevice", b.AddDevice(ctx, nobody, device("dev-b")), server.ErrUnknownOrg)
	_, err = b.Device(ctx, nobody, "dev-a")
	wantErr(t, "Device", err, server.ErrUnknownOrg)
	_, err = b.Devices(ctx, nobody)
	wantErr(t, "Devices", err, server.ErrUnknownOrg)
	_, err = b.RevokeDevice(ctx, nobody, "dev-a", 2, epoch0)
	wantErr(t, "RevokeDevice", err, server.ErrUnknownOrg)
	_, _, err = b.Append(ctx, nobody, batch("dev-a", 1, 1, 1))
	wantErr(t, "Append", err, server.ErrUnknownOrg)
	_, err = b.Range(ctx, nobody, 0, 10)
	wantErr(t, "Range", err, server.ErrUnknownOrg)
	_, err = b.SeenNonce(ctx, nobody, "dev-a", []byte("0123456789abcdef"), epoch0)
	wantErr(t, "SeenNonce", err, server.ErrUnknownOrg)
}

func testDevices(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	addDevice(t, b, "org-1", "dev-c")
	addDevice(t, b, "org-1", "dev-b")
	wantErr(t, "adding dev-b again", b.AddDevice(ctx, "org-1", device("dev-b")), server.ErrDeviceExists)
	other := device("dev-b")
	other.PublicKey = key("intruder")
	wantErr(t, "adding dev-b with another key", b.AddDevice(ctx, "org-1", other), server.ErrDeviceExists)

	got, err := b.Device(ctx, "org-1", "dev-b")
	if err != nil {
		t.Fatal(err)
	}
	want := device("dev-b")
	if got.ID != want.ID || !bytes.Equal(got.PublicKey, want.PublicKey) || !bytes.Equal(got.Record, want.Record) ||
		!got.Added.Equal(want.Added) || got.AddedBy != want.AddedBy || got.Revoked {
		t.Fatalf("Device: got %+v, want %+v", got, want)
	}
	_, err = b.Device(ctx, "org-1", "dev-z")
	wantErr(t, "unknown device", err, server.ErrUnknownDevice)

	all, err := b.Devices(ctx, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
	}
	if fmt.Sprint(ids) != "[dev-a dev-b dev-c]" {
		t.Fatalf("Devices: %v, want [dev-a dev-b dev-c] in order", ids)
	}
}

func testAppendOrdered(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	addDevice(t, b, "org-1", "dev-b")
	in := []server.Batch{
		batch("dev-a", 1, 3, 1), batch("dev-b", 1, 1, 1), batch("dev-a", 4, 4, 1), batch("dev-b", 2, 9, 1),
	}
	for i, bt := range in {
		if seq := appendOK(t, b, "org-1", bt); seq != uint64(i+1) {
			t.Fatalf("batch %d got server sequence %d, want %d", i, seq, i+1)
		}
	}
	got := rangeAll(t, b, "org-1")
	if len(got) != len(in) {
		t.Fatalf("Range returned %d batches, want %d", len(got), len(in))
	}
	for i, s := range got {
		w := in[i]
		if s.Seq != uint64(i+1) || s.Device != w.Device || s.First != w.First || s.Last != w.Last ||
			s.Epoch != w.Epoch || !bytes.Equal(s.Envelope, w.Envelope) {
			t.Fatalf("Range item %d: got %+v, want seq %d %+v", i, s, i+1, w)
		}
	}
	for dev, last := range map[string]uint64{"dev-a": 4, "dev-b": 9} {
		d, err := b.Device(ctx, "org-1", dev)
		if err != nil || d.LastSeq != last {
			t.Fatalf("%s LastSeq %d (%v), want %d", dev, d.LastSeq, err, last)
		}
	}
}

func testAppendIdempotent(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	first := appendOK(t, b, "org-1", batch("dev-a", 1, 5, 1))
	appendOK(t, b, "org-1", batch("dev-a", 6, 6, 1))
	for range 2 {
		seq, dup, err := b.Append(ctx, "org-1", batch("dev-a", 1, 5, 1))
		if err != nil || !dup || seq != first {
			t.Fatalf("Append of a stored batch: seq %d, duplicate %v, %v; want %d, true", seq, dup, err, first)
		}
	}
	// Other bytes under the same sequences are another store's batch
	// (a copied store pushing under the original's device ID).
	other := batch("dev-a", 1, 5, 1)
	other.Envelope = []byte("sealed by a copy of the store")
	_, _, err := b.Append(ctx, "org-1", other)
	wantErr(t, "Append of other bytes under stored sequences", err, server.ErrSeqConflict)
	got := rangeAll(t, b, "org-1")
	if len(got) != 2 || !bytes.Equal(got[0].Envelope, batch("dev-a", 1, 5, 1).Envelope) {
		t.Fatalf("after duplicates Range holds %d batches (first %q), want 2 with the original first", len(got), got[0].Envelope)
	}
}

func testAppendGap(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	addDevice(t, b, "org-1", "dev-b")
	appendOK(t, b, "org-1", batch("dev-a", 1, 140, 1))
	_, _, err := b.Append(ctx, "org-1", batch("dev-a", 142, 150, 1))
	wantErr(t, "Append after a gap", err, server.ErrSeqGap)
	_, _, err = b.Append(ctx, "org-1", batch("dev-b", 2, 2, 1))
	wantErr(t, "a device's first Append not at 1", err, server.ErrSeqGap)
	if n := len(rangeAll(t, b, "org-1")); n != 1 {
		t.Fatalf("a batch after a gap was stored: %d batches", n)
	}
	appendOK(t, b, "org-1", batch("dev-a", 141, 141, 1))
	appendOK(t, b, "org-1", batch("dev-a", 142, 150, 1))
	info, err := b.Log(ctx, "org-1")
	if err != nil || info.Head != 3 || info.Missing != 0 {
		t.Fatalf("Log: %+v, %v; want head 3, nothing missing", info, err)
	}
}

func testAppendOverlap(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	appendOK(t, b, "org-1", batch("dev-a", 1, 5, 1))
	appendOK(t, b, "org-1", batch("dev-a", 6, 8, 1))
	for _, bt := range []server.Batch{
		batch("dev-a", 1, 4, 1), // same start, other end
		batch("dev-a", 1, 9, 1),
		batch("dev-a", 3, 7, 1), // inside stored ones
		batch("dev-a", 8, 10, 1),
	} {
		_, _, err := b.Append(ctx, "org-1", bt)
		wantErr(t, fmt.Sprintf("Append %d..%d", bt.First, bt.Last), err, server.ErrSeqConflict)
	}
	if n := len(rangeAll(t, b, "org-1")); n != 2 {
		t.Fatalf("refused batches were stored: %d batches", n)
	}
	appendOK(t, b, "org-1", batch("dev-a", 9, 9, 1))
}

func testAppendRefusals(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	addDevice(t, b, "org-1", "dev-b")
	_, _, err := b.Append(ctx, "org-1", batch("dev-z", 1, 1, 1))
	wantErr(t, "Append from an unknown device", err, server.ErrUnknownDevice)

	stored := appendOK(t, b, "org-1", batch("dev-a", 1, 1, 1))
	if _, err := b.RevokeDevice(ctx, "org-1", "dev-b", 2, epoch0); err != nil {
		t.Fatal(err)
	}
	_, _, err = b.Append(ctx, "org-1", batch("dev-b", 1, 1, 2))
	wantErr(t, "Append from a revoked device", err, server.ErrRevoked)
	_, _, err = b.Append(ctx, "org-1", batch("dev-a", 2, 2, 1))
	wantErr(t, "Append under an epoch below the minimum", err, server.ErrStaleEpoch)
	// A batch stored before the epoch moved is still acknowledged.
	seq, dup, err := b.Append(ctx, "org-1", batch("dev-a", 1, 1, 1))
	if err != nil || !dup || seq != stored {
		t.Fatalf("repeating a batch stored before the revocation: %d %v %v", seq, dup, err)
	}
	appendOK(t, b, "org-1", batch("dev-a", 2, 2, 2))
	appendOK(t, b, "org-1", batch("dev-a", 3, 3, 3))
	if n := len(rangeAll(t, b, "org-1")); n != 3 {
		t.Fatalf("Range holds %d batches, want 3", n)
	}
}

func testRangePaging(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	const n = 23
	for i := uint64(1); i <= n; i++ {
		appendOK(t, b, "org-1", batch("dev-a", i, i, 1))
	}
	var seen []uint64
	for after := uint64(0); ; {
		page, err := b.Range(ctx, "org-1", after, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 5 {
			t.Fatalf("Range returned %d items, limit 5", len(page))
		}
		for _, s := range page {
			seen = append(seen, s.Seq)
			after = s.Seq
		}
		if len(page) < 5 {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("paging saw %d batches, want %d", len(seen), n)
	}
	for i, s := range seen {
		if s != uint64(i+1) {
			t.Fatalf("paging saw %v, want 1..%d in order", seen, n)
		}
	}
	page, err := b.Range(ctx, "org-1", n, 5)
	if err != nil || len(page) != 0 {
		t.Fatalf("Range after the end: %d items, %v", len(page), err)
	}
	page, err = b.Range(ctx, "org-1", n+100, 5)
	if err != nil || len(page) != 0 {
		t.Fatalf("Range far after the end: %d items, %v", len(page), err)
	}
}

func testOrgsIsolated(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	register(t, b, "org-2") // its first device is also called dev-a
	appendOK(t, b, "org-1", batch("dev-a", 1, 2, 1))
	if got := rangeAll(t, b, "org-2"); len(got) != 0 {
		t.Fatalf("org-2 sees %d batches of org-1", len(got))
	}
	if seq := appendOK(t, b, "org-2", batch("dev-a", 1, 2, 1)); seq != 1 {
		t.Fatalf("org-2's first batch got server sequence %d, want 1", seq)
	}
	addDevice(t, b, "org-1", "dev-b")
	if _, err := b.Device(ctx, "org-2", "dev-b"); !errors.Is(err, server.ErrUnknownDevice) {
		t.Fatalf("org-2 sees org-1's device: %v", err)
	}
	if _, err := b.RevokeDevice(ctx, "org-1", "dev-a", 2, epoch0); err != nil {
		t.Fatal(err)
	}
	if d, _ := b.Device(ctx, "org-2", "dev-a"); d.Revoked {
		t.Fatal("revoking org-1's dev-a revoked org-2's")
	}
	if o, _ := b.Org(ctx, "org-2"); o.MinEpoch != 1 {
		t.Fatalf("revoking in org-1 moved org-2's epoch to %d", o.MinEpoch)
	}
}

func testRevocation(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	addDevice(t, b, "org-1", "dev-b")
	addDevice(t, b, "org-1", "dev-c")
	at := epoch0.Add(time.Hour)
	if min, err := b.RevokeDevice(ctx, "org-1", "dev-b", 3, at); err != nil || min != 3 {
		t.Fatalf("RevokeDevice: min %d, %v", min, err)
	}
	d, err := b.Device(ctx, "org-1", "dev-b")
	if err != nil || !d.Revoked || !d.RevokedAt.Equal(at) {
		t.Fatalf("revoked device reads %+v, %v", d, err)
	}
	if o, _ := b.Org(ctx, "org-1"); o.MinEpoch != 3 {
		t.Fatalf("minimum epoch %d after revocation, want 3", o.MinEpoch)
	}
	// Again, at the same epoch: fine, and the first time stays.
	if min, err := b.RevokeDevice(ctx, "org-1", "dev-b", 3, at.Add(time.Hour)); err != nil || min != 3 {
		t.Fatalf("revoking again: min %d, %v", min, err)
	}
	if d, _ := b.Device(ctx, "org-1", "dev-b"); !d.RevokedAt.Equal(at) {
		t.Fatalf("revoking again moved the revocation time to %v", d.RevokedAt)
	}
	_, err = b.RevokeDevice(ctx, "org-1", "dev-c", 2, at)
	wantErr(t, "revoking under an older epoch", err, server.ErrStaleEpoch)
	if d, _ := b.Device(ctx, "org-1", "dev-c"); d.Revoked {
		t.Fatal("a refused revocation revoked the device")
	}
	_, err = b.RevokeDevice(ctx, "org-1", "dev-z", 4, at)
	wantErr(t, "revoking an unknown device", err, server.ErrUnknownDevice)
	if o, _ := b.Org(ctx, "org-1"); o.MinEpoch != 3 {
		t.Fatalf("a refused revocation moved the epoch to %d", o.MinEpoch)
	}
	all, _ := b.Devices(ctx, "org-1")
	for _, d := range all {
		if d.Revoked != (d.ID == "dev-b") {
			t.Fatalf("Devices shows %s revoked=%v", d.ID, d.Revoked)
		}
	}
}

func testNonces(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	register(t, b, "org-2")
	addDevice(t, b, "org-1", "dev-b")
	n := []byte("0123456789abcdef")
	seen := func(org, dev string, nonce []byte, at time.Time) bool {
		t.Helper()
		s, err := b.SeenNonce(ctx, org, dev, nonce, at)
		if err != nil {
			t.Fatalf("SeenNonce: %v", err)
		}
		return s
	}
	if seen("org-1", "dev-a", n, epoch0) {
		t.Fatal("a new nonce reads as seen")
	}
	if !seen("org-1", "dev-a", n, epoch0.Add(time.Second)) {
		t.Fatal("a replayed nonce reads as new")
	}
	if seen("org-1", "dev-b", n, epoch0) || seen("org-2", "dev-a", n, epoch0) {
		t.Fatal("one device's nonce counts for another")
	}
	if seen("org-1", "dev-a", []byte("0123456789abcdeF"), epoch0) {
		t.Fatal("another nonce reads as seen")
	}
	// Remembered for the whole replay window, also while others expire.
	late := epoch0.Add(server.ReplayWindow - time.Second)
	for i := range 10 {
		seen("org-1", "dev-a", fmt.Appendf(nil, "filler-%010d", i), late)
	}
	if !seen("org-1", "dev-a", n, late) {
		t.Fatal("a nonce was forgotten within the replay window")
	}
}

func testConcurrentAppends(t *testing.T, b server.Backend) {
	register(t, b, "org-1")
	devs := []string{"dev-a", "dev-b", "dev-c", "dev-d"}
	for _, d := range devs[1:] {
		addDevice(t, b, "org-1", d)
	}
	const per = 10
	var wg sync.WaitGroup
	errs := make(chan error, len(devs))
	for _, d := range devs {
		wg.Go(func() {
			for i := uint64(1); i <= per; i++ {
				if _, _, err := b.Append(ctx, "org-1", batch(d, i, i, 1)); err != nil {
					errs <- err
					return
				}
				// Every batch is retried once, as after a lost ack.
				if _, dup, err := b.Append(ctx, "org-1", batch(d, i, i, 1)); err != nil || !dup {
					errs <- fmt.Errorf("retry of %s %d: duplicate %v, %v", d, i, dup, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := rangeAll(t, b, "org-1")
	if len(got) != len(devs)*per {
		t.Fatalf("%d batches stored, want %d", len(got), len(devs)*per)
	}
	next := map[string]uint64{}
	for i, s := range got {
		if s.Seq != uint64(i+1) {
			t.Fatalf("server sequences are not 1..%d without gaps: item %d is %d", len(got), i, s.Seq)
		}
		next[s.Device]++
		if s.First != next[s.Device] {
			t.Fatalf("%s's batches are out of order: %d where %d was next", s.Device, s.First, next[s.Device])
		}
	}
}
