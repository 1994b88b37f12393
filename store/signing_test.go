package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medisecure/core"
)

// Every local change carries its author's signature, chained after their
// previous one on this store.
func TestSignLocalChangesAreSignedAndChained(t *testing.T) {
	a, _, _ := twoPeers(t)
	_, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	_, err = a.desk.AddPatient(core.Patient{Name: "Bob Jones", DOB: "1980-05-06"})
	must(t, err)
	changes := a.outbox(t, 0)
	var desk []core.Change
	for _, c := range changes {
		if c.Author == "desk" {
			desk = append(desk, c)
		}
	}
	if len(desk) < 2 {
		t.Fatalf("want two changes by desk, have %d", len(desk))
	}
	for i, why := range core.VerifyAuthors(changes, func(*core.Change) ed25519.PublicKey { return nil }) {
		if !strings.Contains(why, "has no key") {
			t.Fatalf("change %d verified without a key: %q", i, why)
		}
	}
	prev := desk[0].Digest()
	if string(desk[1].Prev) != string(prev[:]) {
		t.Fatal("desk's second change does not follow its first")
	}
}

// A change made as someone else (here: the desk's store claiming Dr Who
// wrote a note, unsigned or signed with a key that is not Dr Who's) is
// quarantined; the same batch's real changes merge.
func TestSignForgedAuthorIsQuarantined(t *testing.T) {
	a, b, _ := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	changes := a.outbox(t, 0)
	note := forgedNote(t, a, p.ID, changes[len(changes)-1].Seq+1, "drwho")
	signed := forgedNote(t, a, p.ID, note.Seq+1, "drwho")
	signed.Sign(a.desk.keys.sign, nil) // the desk's own key, not Dr Who's
	res, err := b.desk.ApplyRemote(append(changes, note, signed), 0)
	if err != nil || res.Quarantined != 2 {
		t.Fatalf("apply: quarantined %d, %v; want both forged notes", res.Quarantined, err)
	}
	if _, err := b.desk.Patient(p.ID, ""); err != nil {
		t.Fatalf("the real change beside the forged ones: %v", err)
	}
	doc, err := b.db.Login("drwho", "doctor-pass")
	must(t, err)
	if notes, err := doc.Notes(p.ID); err != nil || len(notes) != 0 {
		t.Fatalf("a forged note was applied: %+v, %v", notes, err)
	}
	q, err := b.admin.Quarantine()
	must(t, err)
	if len(q) != 2 || !strings.Contains(q[0].Reason, "not signed by its author drwho") || !strings.Contains(q[1].Reason, "signature of its author drwho does not verify") {
		t.Fatalf("quarantine: %+v", q)
	}
}

// A change its author really signed, of a kind their role may not make
// (reception writing a clinical note), is quarantined.
func TestSignRoleNotPermittedIsQuarantined(t *testing.T) {
	a, b, _ := twoPeers(t)
	p, err := a.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"})
	must(t, err)
	changes := a.outbox(t, 0)
	note := forgedNote(t, a, p.ID, changes[len(changes)-1].Seq+1, "desk")
	note.Sign(a.desk.keys.sign, nil)
	res, err := b.desk.ApplyRemote(append(changes, note), 0)
	if err != nil || res.Quarantined != 1 {
		t.Fatalf("apply: quarantined %d, %v; want the note", res.Quarantined, err)
	}
	q, err := b.admin.Quarantine()
	must(t, err)
	if len(q) != 1 || !strings.HasPrefix(q[0].Reason, "not permitted: reception may not create note records") {
		t.Fatalf("quarantine: %+v", q)
	}
}

// forgedNote is a clinical note change on a's device in author's name,
// unsigned.
func forgedNote(t *testing.T, a *peer, patient core.ID, seq uint64, author string) core.Change {
	t.Helper()
	id, err := core.NewID(time.Now(), rand.Reader)
	must(t, err)
	at := a.db.opts.now()
	fields, err := core.FieldsOf(&core.Note{Meta: core.Meta{ID: id, CreatedAt: at, UpdatedAt: at, CreatedBy: author}, PatientID: patient, Author: author, Subjective: "FORGED by desk"})
	must(t, err)
	return core.Change{Kind: core.KindNote, ID: id, Fields: fields, Author: author, Device: a.db.DeviceID(), Seq: seq, HLC: core.MakeHLC(at.UnixMilli(), uint16(seq))}
}

// A store made before author signatures opens with its unsigned outbox as
// it was; what it writes from then on is signed. A receiver quarantines
// the old changes as unsigned and merges the new one.
func TestSignStoreFromBeforeSignatures(t *testing.T) {
	v := shippedSchemas[len(shippedSchemas)-1]
	raw, err := os.ReadFile(fixturePath(v))
	must(t, err)
	clk := &testClock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	open := func(name string) *DB {
		path := filepath.Join(t.TempDir(), name)
		must(t, os.WriteFile(path, raw, 0o600))
		db, err := Open(path, Options{Now: clk.now, KDF: testKDF})
		must(t, err)
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, other := open("old.db"), open("receiver.db")
	desk, err := db.Login("desk", "desk-pass")
	must(t, err)
	old, err := desk.Outbox(0, 1<<20)
	must(t, err)
	if len(old) == 0 {
		t.Fatal("the fixture's outbox is empty; the test proves nothing")
	}
	for _, c := range old {
		if len(c.Sig) != 0 || len(c.Prev) != 0 {
			t.Fatalf("a change from before signatures reads as signed: %+v", c)
		}
	}
	p, err := desk.AddPatient(core.Patient{Name: "After The Upgrade", DOB: "1990-01-02"})
	must(t, err)
	all, err := desk.Outbox(0, 1<<20)
	must(t, err)
	if len(all[len(all)-1].Sig) == 0 {
		t.Fatal("a change written after the upgrade is not signed")
	}
	recv, err := other.Login("desk", "desk-pass")
	must(t, err)
	res, err := recv.ApplyRemote(all, 0)
	must(t, err)
	if res.Quarantined != len(old) {
		t.Fatalf("quarantined %d of %d unsigned changes", res.Quarantined, len(old))
	}
	if _, err := recv.Patient(p.ID, ""); err != nil {
		t.Fatalf("the signed change: %v", err)
	}
}
