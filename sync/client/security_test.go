package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/core"
	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// refusedNothingApplied checks that w's sync fails with want and leaves its
// data and pull cursor as they were.
func refusedNothingApplied(t *testing.T, w *workstation, want error, says string) {
	t.Helper()
	before, cursor := w.export(), w.state().Cursor
	_, err := w.client.SyncOnce(context.Background())
	wantErr(t, err, want)
	t.Logf("%s refused: %v", w.name, err)
	if !strings.Contains(err.Error(), says) {
		t.Errorf("error %q does not say %q", err, says)
	}
	if after := w.export(); after != before {
		t.Errorf("%s changed though its sync was refused:\n%s", w.name, firstDiff(before, after))
	}
	if got := w.state().Cursor; got != cursor {
		t.Errorf("%s's cursor moved from %d to %d", w.name, cursor, got)
	}
}

// quarantinedNothingApplied checks that w's sync quarantines what
// another workstation, from, pushed (the reason saying says), applies
// nothing of it, says so instead of "synced", and is not stuck: what from
// pushes next arrives.
func quarantinedNothingApplied(t *testing.T, w, from *workstation, says string) {
	t.Helper()
	before := w.export()
	for range 2 {
		rep, err := w.client.SyncOnce(context.Background())
		if err != nil {
			t.Fatalf("%s: the sync stopped at the bad batch: %v", w.name, err)
		}
		st := w.client.Status()
		if rep.Quarantined != 1 || st.Synced || !strings.Contains(st.State, "quarantined 1") {
			t.Fatalf("%s: quarantined %d, status %q (synced %v); want 1 quarantined and not synced", w.name, rep.Quarantined, st.State, st.Synced)
		}
	}
	if after := w.export(); after != before {
		t.Errorf("%s applied some of a refused batch:\n%s", w.name, firstDiff(before, after))
	}
	q, err := w.admin.Quarantine()
	must(t, err)
	if len(q) != 1 || !strings.Contains(q[0].Reason, says) {
		t.Fatalf("%s's quarantine: %+v; want one entry saying %q", w.name, q, says)
	}
	p, err := from.desk.AddPatient(core.Patient{Name: "After The Bad Batch", DOB: "1980-01-01"})
	must(t, err)
	from.sync()
	w.sync()
	if _, err := w.desk.Patient(p.ID, ""); err != nil {
		t.Fatalf("%s is stuck behind the bad batch: %v", w.name, err)
	}
}

// pushRaw sends an envelope as w's device, signed afresh.
func pushRaw(w *workstation, env []byte) (*wire.PushResponse, error) {
	req := &wire.PushRequest{Envelope: env}
	auth.Sign(req, wire.Sync_Push_FullMethodName, w.db.Org().ID, w.db.DeviceID(), w.admin.DeviceKey(), time.Now())
	return wire.NewSyncClient(w.conn).Push(context.Background(), req)
}

// sealAs seals one patient change of w's device at sequence seq under
// orgKey, signed by devKey, and marshals it.
func sealAs(t *testing.T, w *workstation, seq uint64, orgKey []byte, devKey ed25519.PrivateKey) []byte {
	t.Helper()
	ch := core.Change{
		Kind: core.KindPatient, ID: "0123456789abcdef01234567",
		Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Mallory Intruder"`), "dob": json.RawMessage(`"1970-01-01"`)},
		Author: "desk", Device: w.db.DeviceID(), Seq: seq, HLC: core.MakeHLC(time.Now().UnixMilli(), 0),
	}
	b, err := envelope.Seal([]core.Change{ch}, orgKey, uint32(w.admin.Epoch()), w.db.Org().ID, w.db.DeviceID(), seq, seq, devKey)
	must(t, err)
	raw, err := envelope.Marshal(b)
	must(t, err)
	return raw
}

// randomKey is an org key nobody holds.
func randomKey() []byte {
	k := make([]byte, envelope.KeySize)
	rand.Read(k)
	return k
}

func TestTamperedBatchOnTheServerIsRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	a, b := wss[0], wss[1]
	newEditor(5).edit(t, a, 20)
	a.sync()
	srv.halt()
	flipStoredBatch(t, srv.path, a.db.Org().ID)
	srv.start()
	quarantinedNothingApplied(t, b, a, "does not verify")
}

// flipStoredBatch flips a byte of the ciphertext of the first batch the
// server's file holds for org.
func flipStoredBatch(t *testing.T, path, org string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	must(t, err)
	defer db.Close()
	must(t, db.Update(func(tx *bolt.Tx) error {
		batches := tx.Bucket([]byte("orgs")).Bucket([]byte(org)).Bucket([]byte("batches"))
		k, v := batches.Cursor().First()
		tampered := append([]byte(nil), v...)
		tampered[len(tampered)-ed25519.SignatureSize-10] ^= 0x20
		return batches.Put(k, tampered)
	}))
}

// A batch signed by its device but sealed under a key other than the org
// key (or altered by the device key's holder) passes the server, which
// cannot open it, and is refused by every workstation.
func TestBatchSealedUnderAnotherKeyIsRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	_, err := pushRaw(b, sealAs(t, b, b.state().LastSeq+1, randomKey(), b.admin.DeviceKey()))
	must(t, err)
	// b's store learns that the sequence is taken, as if it had pushed it.
	seq, err := b.admin.ReserveSeq()
	must(t, err)
	must(t, b.admin.Ack(seq))
	quarantinedNothingApplied(t, a, b, "does not open under the org key")
}

// A batch whose signature is not its device's is refused by the server and
// stored nowhere.
func TestBadSignatureIsRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	orgKey, err := b.admin.OrgKey(b.admin.Epoch())
	must(t, err)
	_, err = pushRaw(b, sealAs(t, b, b.state().LastSeq+1, orgKey, other))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("push with a bad signature: %v", err)
	}
	before := a.export()
	if rep := a.sync(); rep.Pulled != 0 || a.export() != before {
		t.Fatalf("a pulled %d changes after a refused push", rep.Pulled)
	}
}

// A request sent again as it was is refused as a replay; the same batch
// pushed again in a new request is stored once.
func TestReplayedPushIsRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	orgKey, err := b.admin.OrgKey(b.admin.Epoch())
	must(t, err)
	env := sealAs(t, b, b.state().LastSeq+1, orgKey, b.admin.DeviceKey())
	req := &wire.PushRequest{Envelope: env}
	auth.Sign(req, wire.Sync_Push_FullMethodName, b.db.Org().ID, b.db.DeviceID(), b.admin.DeviceKey(), time.Now())
	rpc := wire.NewSyncClient(b.conn)
	first, err := rpc.Push(context.Background(), req)
	must(t, err)
	_, err = rpc.Push(context.Background(), req)
	if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replayed request: %v", err)
	}
	again, err := pushRaw(b, env)
	must(t, err)
	if !again.Duplicate || again.ServerSeq != first.ServerSeq {
		t.Fatalf("the same batch pushed again: %+v, first %+v", again, first)
	}
	rep := a.sync()
	if rep.Pulled != 1 {
		t.Fatalf("a pulled %d changes of a batch pushed twice, want 1", rep.Pulled)
	}
}

// A device the server does not know is refused, and so is one revoked;
// neither pushes nor pulls anything.
func TestUnknownAndRevokedDevicesAreRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	a, c := wss[0], wss[2]

	// A copy whose device nobody added.
	stranger := newOrg(t, 1)[0]
	must(t, stranger.admin.NewDeviceIdentity())
	stranger.connect(srv.addr, fastOptions(srv.addr))
	_, err := pushRaw(stranger, []byte("MSB\x01"))
	if status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("push from an unknown organisation's device: %v", err)
	}

	must(t, a.client.RevokeDevice(context.Background(), c.db.DeviceID(), 1))
	newEditor(21).edit(t, a, 10)
	a.sync()
	newEditor(22).edit(t, c, 10)
	pending := c.state().Pending
	refusedNothingApplied(t, c, client.ErrRefused, "revoked")
	if got := c.state().Pending; got != pending {
		t.Errorf("the revoked device's pending changes went from %d to %d", pending, got)
	}
	devs, err := a.client.Devices(context.Background())
	must(t, err)
	for _, d := range devs {
		if d.ID == c.db.DeviceID() && !d.Revoked {
			t.Errorf("the server lists %s as not revoked", d.ID)
		}
	}
}

// After a revocation raised the key epoch, a batch sealed under the old
// epoch is refused with a sentence that says so, and stays pending.
func TestBatchUnderARevokedEpochIsRefused(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	must(t, a.client.RevokeDevice(context.Background(), b.db.DeviceID(), 2))
	newEditor(31).edit(t, a, 5)
	pending := a.state().Pending
	_, err := a.client.SyncOnce(context.Background())
	wantErr(t, err, client.ErrRejected)
	t.Logf("refused: %v", err)
	if !strings.Contains(err.Error(), "epoch 1") {
		t.Errorf("error %q does not name the epoch", err)
	}
	if got := a.state().Pending; got != pending || pending == 0 {
		t.Errorf("pending went from %d to %d", pending, got)
	}
}
