package client_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/sync/envelope"
)

// Issue 8, defect 3: one change a receiver refuses (its author is not in
// the directory) rides in a batch with a good one. The receiver merges
// the good one, quarantines the other for its admin, counts it in its
// status, and later batches keep arriving.
func TestRefusedChangeDoesNotBlockThePull(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	a, b := wss[0], wss[1]
	seq := b.state().LastSeq
	change := func(id core.ID, author, name string, n uint64) core.Change {
		at := b.clock.now()
		fields, err := core.FieldsOf(&core.Patient{Meta: core.Meta{ID: id, CreatedAt: at, UpdatedAt: at, CreatedBy: author}, Name: name, DOB: "1970-01-01"})
		must(t, err)
		return core.Change{
			Kind: core.KindPatient, ID: id, Author: author, Device: b.db.DeviceID(), Seq: seq + n,
			HLC: core.MakeHLC(time.Now().UnixMilli(), uint16(n)), Fields: fields,
		}
	}
	good := addPatient(t, b, "Good Change") // signed by desk, as every write
	own, err := b.admin.Outbox(seq, 10)
	must(t, err)
	bad, err := core.NewID(time.Now(), rand.Reader)
	must(t, err)
	key, err := b.admin.OrgKey(b.admin.Epoch())
	must(t, err)
	sealed, err := envelope.Seal([]core.Change{own[0], change(bad, "mallory", "Forged Change", 2)},
		key, uint32(b.admin.Epoch()), b.db.Org().ID, b.db.DeviceID(), seq+1, seq+2, b.admin.DeviceKey())
	must(t, err)
	raw, err := envelope.Marshal(sealed)
	must(t, err)
	_, err = pushRaw(b, raw)
	must(t, err)
	for range 2 {
		rep, err := a.client.SyncOnce(context.Background())
		if err != nil {
			t.Fatalf("the pull stopped at the refused change: %v", err)
		}
		if rep.Quarantined != 1 {
			t.Fatalf("quarantined %d, want 1", rep.Quarantined)
		}
		syncState(t, a, false, "quarantined 1")
	}
	if _, err := a.desk.Patient(good, ""); err != nil {
		t.Fatalf("the good change beside the refused one: %v", err)
	}
	if _, err := a.desk.Patient(bad, ""); err == nil {
		t.Fatal("the change by an author not in the directory was applied")
	}
	q, err := a.admin.Quarantine()
	must(t, err)
	if len(q) != 1 || q[0].Change == nil || q[0].Change.ID != bad || !strings.Contains(q[0].Reason, `"mallory" is not in the directory`) {
		t.Fatalf("quarantine: %+v", q)
	}
	// b's store learns the two sequences are taken, as if it had pushed
	// them, and goes on.
	n, err := b.admin.ReserveSeq()
	must(t, err)
	must(t, b.admin.Ack(n))
	later := addPatient(t, b, "Later Patient")
	b.sync()
	a.sync()
	if _, err := a.desk.Patient(later, ""); err != nil {
		t.Fatalf("a later batch did not arrive: %v", err)
	}
}
