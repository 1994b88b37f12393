package client_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"medisecure/core"
	"medisecure/sync/envelope"
)

// forgeBatch pushes, as w's device, w's own unpushed changes with forged
// spliced in after the first of them, and moves w's store past them as if
// its client had pushed them.
func forgeBatch(t *testing.T, w *workstation, forged func(seq uint64) core.Change) {
	t.Helper()
	acked := w.state().LastAck
	own, err := w.admin.Outbox(acked, 100)
	must(t, err)
	if len(own) < 2 {
		t.Fatalf("want two changes of %s's own to forge between, have %d", w.name, len(own))
	}
	last := own[len(own)-1].Seq
	fake := forged(last + 1)
	changes := append([]core.Change{own[0], fake}, own[1:]...)
	for i := range changes {
		changes[i].Seq = acked + uint64(i) + 1
	}
	key, err := w.admin.OrgKey(w.admin.Epoch())
	must(t, err)
	sealed, err := envelope.Seal(changes, key, uint32(w.admin.Epoch()), w.db.Org().ID, w.db.DeviceID(), acked+1, acked+uint64(len(changes)), w.admin.DeviceKey())
	must(t, err)
	raw, err := envelope.Marshal(sealed)
	must(t, err)
	_, err = pushRaw(w, raw)
	must(t, err)
	n, err := w.admin.ReserveSeq()
	must(t, err)
	must(t, w.admin.Ack(n))
}

// Issue 9, author forgery: a workstation where only reception works pushes
// a note in Dr Who's name between two patients its receptionist really
// registered. Every other workstation quarantines the note (its author's
// signature does not verify) and merges the patients.
func TestForgedAuthorIsQuarantinedOnEveryReceiver(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss)
	converge(t, wss)
	desk := wss[2]
	first := addPatient(t, desk, "Real Patient One")
	second := addPatient(t, desk, "Real Patient Two")
	note, err := core.NewID(time.Now(), rand.Reader)
	must(t, err)
	forgeBatch(t, desk, func(seq uint64) core.Change {
		at := desk.clock.now()
		fields, err := core.FieldsOf(&core.Note{
			Meta:      core.Meta{ID: note, CreatedAt: at, UpdatedAt: at, CreatedBy: doctor},
			PatientID: first, Author: doctor, Subjective: "FORGED by desk",
		})
		must(t, err)
		c := core.Change{Kind: core.KindNote, ID: note, Fields: fields, Author: doctor, Device: desk.db.DeviceID(), Seq: seq, HLC: core.MakeHLC(at.UnixMilli(), 9)}
		_, someKey, err := ed25519.GenerateKey(rand.Reader) // the best a desk can do: Dr Who's key is not on it
		must(t, err)
		c.Sign(someKey, nil)
		return c
	})
	for _, w := range wss[:2] {
		rep := w.sync()
		if rep.Quarantined != 1 {
			t.Fatalf("%s quarantined %d, want the forged note", w.name, rep.Quarantined)
		}
		for _, id := range []core.ID{first, second} {
			if _, err := w.desk.Patient(id, ""); err != nil {
				t.Fatalf("%s: the forging workstation's real change %s: %v", w.name, id, err)
			}
		}
		doc, err := w.db.Login(doctor, docPass)
		must(t, err)
		if notes, err := doc.Notes(first); err != nil || len(notes) != 0 {
			t.Fatalf("%s applied the forged note: %+v, %v", w.name, notes, err)
		}
		q, err := w.admin.Quarantine()
		must(t, err)
		if len(q) != 1 || q[0].Change == nil || q[0].Change.ID != note || !strings.Contains(q[0].Reason, "signature of its author "+doctor+" does not verify") {
			t.Fatalf("%s's quarantine: %+v", w.name, q)
		}
		if rel, err := w.admin.ReleaseQuarantine(); err != nil || rel.Applied != 0 {
			t.Fatalf("%s: trying the forged note again let it in: %+v, %v", w.name, rel, err)
		}
	}
}
