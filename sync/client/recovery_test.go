package client_test

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
	"medisecure/sync/client"
)

// addPatient adds a patient on w as the receptionist and returns its ID.
func addPatient(t *testing.T, w *workstation, name string) core.ID {
	t.Helper()
	p, err := w.desk.AddPatient(core.Patient{Name: name, DOB: "1970-01-01"})
	must(t, err)
	return p.ID
}

// hasPatients fails unless every workstation holds every patient.
func hasPatients(t *testing.T, wss []*workstation, ids map[string]core.ID) {
	t.Helper()
	for _, w := range wss {
		for name, id := range ids {
			if _, err := w.desk.Patient(id, ""); err != nil {
				t.Errorf("%s lacks patient %s: %v", w.name, name, err)
			}
		}
	}
}

// copyFile copies a closed file.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	must(t, err)
	must(t, os.WriteFile(to, raw, 0o600))
}

// syncState fails unless w's last sync left it synced (or not, as want
// says) with a state line holding says.
func syncState(t *testing.T, w *workstation, synced bool, says string) {
	t.Helper()
	st := w.client.Status()
	if st.Synced != synced || !strings.Contains(st.State, says) {
		t.Fatalf("%s: status %q (synced %v); want synced %v saying %q", w.name, st.State, st.Synced, synced, says)
	}
}

// Issue 8, defect 1: the server is put back from an older copy of its
// file. The workstations hand back what it lost, pull again, and every
// one, a new one included, ends with every change; the one that noticed
// says so.
func TestServerRestoredFromAnOlderCopy(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss[:2])
	b1, b2, b3 := wss[0], wss[1], wss[2]
	must(t, b1.client.AddDevice(context.Background(), b3.db.DeviceID(), b3.admin.DeviceKey().Public().(ed25519.PublicKey)))
	converge(t, wss[:2])
	srv.halt()
	backup := filepath.Join(t.TempDir(), "syncd-backup.db")
	copyFile(t, srv.path, backup)
	srv.start()

	ids := map[string]core.ID{"One": addPatient(t, b1, "One")}
	b1.sync()
	b2.sync()
	srv.halt()
	copyFile(t, backup, srv.path)
	srv.start()

	ids["Two"] = addPatient(t, b2, "Two")
	ids["Three"] = addPatient(t, b1, "Three")
	restored := 0
	for _, w := range []*workstation{b2, b1, b2, b1} {
		rep := w.sync()
		restored += rep.Restored
		if rep.Restored > 0 {
			syncState(t, w, true, "server lost")
		}
	}
	if restored == 0 {
		t.Fatal("no workstation said that the server had lost changes")
	}
	for _, w := range []*workstation{b1, b2} {
		syncState(t, w, true, "synced")
	}
	b3.connect(srv.addr, fastOptions(srv.addr))
	b3.sync()
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}

// Issue 8, defect 2: a batch deleted from the server's file. A new
// workstation does not claim to be synced while it lacks it; the
// workstation that made it hands it back, and then everyone has it.
func TestBatchDeletedOnTheServer(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss[:2])
	a, b, c := wss[0], wss[1], wss[2]
	must(t, a.client.AddDevice(context.Background(), c.db.DeviceID(), c.admin.DeviceKey().Public().(ed25519.PublicKey)))
	converge(t, wss[:2])
	ids := map[string]core.ID{}
	for _, name := range []string{"First", "Second", "Third"} {
		ids[name] = addPatient(t, a, name)
		a.sync()
	}
	b.sync()
	srv.halt()
	deleteStoredBatch(t, srv.path, a.db.Org().ID, 2)
	srv.start()

	c.connect(srv.addr, fastOptions(srv.addr))
	rep := c.sync()
	if rep.Missing == 0 {
		t.Fatalf("the new workstation pulled a log with a hole and reports nothing missing: %+v", rep)
	}
	syncState(t, c, false, "cannot hand over")
	rep = a.sync()
	if rep.Restored == 0 {
		t.Fatalf("the workstation that kept the lost batch did not restore it: %+v", rep)
	}
	syncState(t, a, true, "server lost")
	c.sync()
	syncState(t, c, true, "synced")
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}

// deleteStoredBatch deletes the batch at a server sequence from the
// server's file.
func deleteStoredBatch(t *testing.T, path, org string, seq uint64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	must(t, err)
	defer db.Close()
	must(t, db.Update(func(tx *bolt.Tx) error {
		batches := tx.Bucket([]byte("orgs")).Bucket([]byte(org)).Bucket([]byte("batches"))
		key := binary.BigEndian.AppendUint64(nil, seq)
		if batches.Get(key) == nil {
			return errors.New("no such batch")
		}
		return batches.Delete(key)
	}))
}

// Issue 8, defect 6: a copy of a store (a cloned laptop) syncs under the
// original's device ID. The original is told, in one sentence, the
// command that makes it a device of its own; that command keeps its
// pending change, and then everyone has both.
func TestCopiedStoreIsToldToBecomeANewDevice(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	orig := wss[0]
	orig.close()
	clone := &workstation{t: t, name: "clone", path: filepath.Join(t.TempDir(), "clone.db"), clock: &testClock{t: orig.clock.now()}}
	copyFile(t, orig.path, clone.path)
	orig.reopen()
	clone.open()
	t.Cleanup(clone.close)
	clone.connect(srv.addr, fastOptions(srv.addr))

	ids := map[string]core.ID{"Cloned": addPatient(t, clone, "Cloned")}
	clone.sync()
	ids["Original"] = addPatient(t, orig, "Original")
	_, err := orig.client.SyncOnce(context.Background())
	wantErr(t, err, client.ErrStoreBehind)
	if !strings.Contains(err.Error(), "run clinic sync new-device") {
		t.Fatalf("the error does not name the way out: %v", err)
	}
	syncState(t, orig, false, "clinic sync new-device")
	pending := orig.state().Pending
	must(t, orig.admin.NewDeviceIdentity())
	if got := orig.state().Pending; got != pending {
		t.Fatalf("a new identity left %d changes pending, had %d", got, pending)
	}
	orig.connect(srv.addr, fastOptions(srv.addr))
	all := []*workstation{orig, wss[1], clone}
	converge(t, all)
	hasPatients(t, all, ids)
	sameExports(t, all)
}

// Issue 8, defect 5: a workstation whose clock runs in 2099. Its changes
// are quarantined elsewhere with what is wrong, a cancellation made later
// in real time stands, and no other clock is dragged to 2099.
func TestClockIn2099(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	for _, w := range wss {
		w.clock.t = time.Now().UTC()
	}
	online(t, srv, wss)
	for _, w := range wss {
		opts := fastOptions(srv.addr)
		opts.MaxClockAhead = 0
		w.connect(srv.addr, opts)
	}
	converge(t, wss)
	future, here := wss[0], wss[1]
	day := time.Now().In(here.db.Zone()).AddDate(0, 0, 2)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, here.db.Zone())
	p := addPatient(t, here, "Ann Example")
	appt, err := here.desk.Book(core.Appointment{PatientID: p, Doctor: doctor, Start: at, Minutes: 15})
	must(t, err)
	converge(t, wss)

	future.clock.t = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	fp, err := future.desk.Patient(p, "")
	must(t, err)
	fp.Phone = "555-2099"
	_, err = future.desk.UpdatePatient(fp)
	must(t, err)
	future.sync()
	here.clock.advance(time.Minute)
	_, err = here.desk.SetStatus(appt.ID, core.ApptCancelled, "the patient called")
	must(t, err)
	rep := here.sync()
	if rep.Quarantined == 0 {
		t.Fatalf("the change from 2099 was not quarantined: %+v", rep)
	}
	syncState(t, here, false, "quarantined")
	q, err := here.admin.Quarantine()
	must(t, err)
	if len(q) == 0 || !strings.Contains(q[0].Reason, "the clock of device "+future.db.DeviceID()+" is ") {
		t.Fatalf("quarantine: %+v", q)
	}
	got, err := here.desk.Appointment(appt.ID)
	must(t, err)
	if got.Status != core.ApptCancelled || !got.Start.Equal(at) {
		t.Fatalf("the later cancellation lost to 2099: %+v", got)
	}
	if hp, err := here.desk.Patient(p, ""); err != nil || hp.Phone == "555-2099" {
		t.Fatalf("the edit from 2099 was applied: %+v, %v", hp, err)
	}
	addPatient(t, here, "Bob Later")
	out, err := here.admin.Outbox(here.state().LastAck, 1000)
	must(t, err)
	if len(out) == 0 || out[len(out)-1].HLC.Time().Year() != time.Now().Year() {
		t.Fatalf("a new edit here is stamped %v: the clock was dragged", out)
	}
}

// A workstation whose clock is off the server's by more than the bound
// says so in its status.
func TestClockOffTheServer(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 1)
	online(t, srv, wss)
	w := wss[0]
	opts := fastOptions(srv.addr)
	opts.MaxClockAhead = time.Minute
	opts.Now = func() time.Time { return time.Now().Add(3 * time.Minute) }
	w.connect(srv.addr, opts)
	rep := w.sync()
	if rep.ClockOffset < 2*time.Minute {
		t.Fatalf("clock offset %v, want about 3m", rep.ClockOffset)
	}
	syncState(t, w, false, "clock off by 3m")
}

// Issue 8, after a restore: a server put back from a copy older than a
// workstation no longer knows its device and refuses every call it
// signs. The workstation presents its device record again (signed by the
// org root when an admin added it, kept from the server's list) from a
// receptionist's session, and nothing it wrote is lost.
func TestServerRestoredFromBeforeADeviceWasAdded(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 2)
	b1, b2 := wss[0], wss[1]
	online(t, srv, wss[:1])
	b1.sync()
	srv.halt()
	backup := filepath.Join(t.TempDir(), "syncd-backup.db")
	copyFile(t, srv.path, backup)
	srv.start()

	must(t, b1.client.AddDevice(context.Background(), b2.db.DeviceID(), b2.admin.DeviceKey().Public().(ed25519.PublicKey)))
	b2.connect(srv.addr, fastOptions(srv.addr))
	desk := client.New(b2.conn, b2.desk, fastOptions(srv.addr))
	if _, err := desk.SyncOnce(context.Background()); err != nil {
		t.Fatalf("first sync of the new workstation: %v", err)
	}
	ids := map[string]core.ID{"Late": addPatient(t, b2, "Late")}
	if _, err := desk.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.halt()
	copyFile(t, backup, srv.path)
	srv.start()

	ids["After"] = addPatient(t, b2, "After")
	rep, err := desk.SyncOnce(context.Background())
	if err != nil {
		t.Fatalf("the restored server refused the workstation added after its backup: %v", err)
	}
	if !rep.Reenrolled {
		t.Errorf("the sync did not say it added the workstation again: %+v", rep)
	}
	if st := desk.Status(); !strings.Contains(st.State, "added it again") {
		t.Errorf("state %q does not say the server had forgotten this workstation", st.State)
	}
	converge(t, wss)
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}
