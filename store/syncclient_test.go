package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"medisecure/core"
)

func TestSignWithRootIsForAdmins(t *testing.T) {
	f := newFixture(t)
	msg := []byte("medisecure device record v1\x00test")
	sig, err := f.admin.SignWithRoot(msg)
	must(t, err)
	if !ed25519.Verify(f.admin.RootPublicKey(), msg, sig) {
		t.Fatal("the signature does not verify under the org root key")
	}
	if _, err := f.desk.SignWithRoot(msg); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception signing with the root key: %v, want %v", err, core.ErrDenied)
	}
}

// A reserved sequence counts as pending until acknowledged, and the
// outbox skips it.
func TestReserveSeq(t *testing.T) {
	f := newFixture(t)
	before, err := f.admin.SyncState()
	must(t, err)
	seq, err := f.admin.ReserveSeq()
	must(t, err)
	if seq != before.LastSeq+1 {
		t.Fatalf("reserved %d after %d", seq, before.LastSeq)
	}
	st, err := f.admin.SyncState()
	must(t, err)
	if st.Pending != before.Pending+1 {
		t.Fatalf("pending %d, want %d", st.Pending, before.Pending+1)
	}
	out, err := f.admin.Outbox(0, 1000)
	must(t, err)
	if len(out) != before.Pending {
		t.Fatalf("outbox holds %d changes, want %d", len(out), before.Pending)
	}
	must(t, f.admin.Ack(seq))
	if st, _ := f.admin.SyncState(); st.Pending != 0 {
		t.Fatalf("pending %d after acknowledging everything", st.Pending)
	}
}

func TestMarkPulled(t *testing.T) {
	f := newFixture(t)
	must(t, f.admin.MarkPulled())
	st, err := f.admin.SyncState()
	must(t, err)
	if !st.LastPull.Equal(f.clock.now()) || st.Cursor != 0 {
		t.Fatalf("after MarkPulled: %+v", st)
	}
}

func TestSyncMarks(t *testing.T) {
	f := newFixture(t)
	m, err := f.admin.SyncMarks()
	must(t, err)
	if m.Registered != "" || m.Directory != nil {
		t.Fatalf("a new store has marks %+v", m)
	}
	must(t, f.admin.MarkRegistered("127.0.0.1:7443"))
	must(t, f.admin.MarkDirectoryPushed([]byte{1, 2, 3}))
	f.close(t)
	f.open(t)
	m, err = f.admin.SyncMarks()
	must(t, err)
	if m.Registered != "127.0.0.1:7443" || !bytes.Equal(m.Directory, []byte{1, 2, 3}) {
		t.Fatalf("marks after reopening: %+v", m)
	}
}

// A copied store given a new identity writes as a new device from
// sequence 1, with none of the original's sync state, and its pending
// changes re-authored under the new device.
func TestNewDeviceIdentity(t *testing.T) {
	f := newFixture(t)
	other := replica(t, f)
	admin, err := other.Login("admin", "admin-pass")
	must(t, err)
	must(t, admin.MarkRegistered("somewhere"))
	oldID, oldKey := other.DeviceID(), admin.DeviceKey()
	desk, err := other.Login("desk", "desk-pass")
	must(t, err)
	if err := desk.NewDeviceIdentity(); !errors.Is(err, core.ErrDenied) {
		t.Fatalf("reception taking a new identity: %v", err)
	}
	before, err := admin.SyncState()
	must(t, err)
	must(t, admin.NewDeviceIdentity())
	if other.DeviceID() == oldID || admin.DeviceKey().Equal(oldKey) || other.DeviceID() == f.db.DeviceID() {
		t.Fatal("the device ID or key did not change")
	}
	st, err := admin.SyncState()
	must(t, err)
	m, err := admin.SyncMarks()
	must(t, err)
	n := uint64(before.Pending)
	if st.LastSeq != n || st.Pending != before.Pending || st.LastAck != 0 || st.Cursor != 0 || st.Server != "" || m.Registered != "" {
		t.Fatalf("state after a new identity: %+v %+v (before: %+v)", st, m, before)
	}
	p, err := desk.AddPatient(core.Patient{Name: "New Device Patient", DOB: "1990-01-01"})
	must(t, err)
	out, err := admin.Outbox(0, 1000)
	must(t, err)
	if uint64(len(out)) != n+1 || out[n].Seq != n+1 || out[n].ID != p.ID {
		t.Fatalf("outbox after a new identity: %d changes, want %d and the new patient last", len(out), n+1)
	}
	for i, c := range out {
		if c.Device != other.DeviceID() || c.Seq != uint64(i+1) {
			t.Fatalf("outbox entry %d is %s/%d, want the new device's %d", i, c.Device, c.Seq, i+1)
		}
	}
	id := other.DeviceID()
	pub := admin.DeviceKey().Public()
	must(t, other.Close())
	again, err := Open(other.Path(), Options{KDF: testKDF})
	must(t, err)
	defer again.Close()
	s, err := again.Login("admin", "admin-pass")
	must(t, err)
	if again.DeviceID() != id || !s.DeviceKey().Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatal("the new identity did not survive reopening")
	}
}
