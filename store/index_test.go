package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

func TestIndexClassesAreDistinct(t *testing.T) {
	// A map literal with two equal constant keys does not compile, so two
	// indexes can never share a class byte unnoticed.
	classes := map[byte]string{
		classDoctor: "doctor", classRoom: "room", classPatient: "patient", classSched: "schedule",
		classNote: "note", classVisit: "visit", classClinical: "clinical", classConflict: "conflict",
		classPayment: "payment", classInvoice: "invoice", classGlass: "glass", classDocument: "document",
	}
	for c, name := range classes {
		if c >= '0' && c <= '9' {
			t.Errorf("class %s (%q) could start a day key", name, c)
		}
	}
}

func TestIndexTableCoversTheIndexedKinds(t *testing.T) {
	seen := map[core.Kind]string{}
	for _, ix := range indexes {
		if len(ix.kinds) == 0 || ix.update == nil {
			t.Errorf("index %q has no kinds or no update", ix.name)
		}
		for _, k := range ix.kinds {
			if !k.Valid() {
				t.Errorf("index %q names unknown kind %q", ix.name, k)
			}
			if other, dup := seen[k]; dup {
				t.Errorf("kind %s feeds both %q and %q", k, other, ix.name)
			}
			seen[k] = ix.name
		}
	}
	for _, k := range []core.Kind{core.KindPatient, core.KindAppointment, core.KindSchedule, core.KindNote, core.KindAllergy, core.KindInvoice, core.KindPayment} {
		if !hasIndex(k) {
			t.Errorf("%s has no index", k)
		}
	}
	if !needsBefore(core.KindAppointment) || needsBefore(core.KindPatient) {
		t.Error("only appointments need their old state")
	}
	if hasIndex(core.KindMessage) {
		t.Error("messages have no index yet the table says so")
	}
}

func TestMigrationSevenMovesTheClinicalIndexOffTheConflicts(t *testing.T) {
	f := newFixture(t)
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	f.inCare(t, ann.ID)
	_, err := f.doctor.AddAllergy(core.Allergy{PatientID: ann.ID, Substance: "penicillin", Reaction: "rash", Severity: core.SeverityModerate, RecordedBy: "drwho"})
	must(t, err)
	// Make it a schema-6 store: its clinical entries under 'C'.
	unclass(t, f)
	f.close(t)
	db, err := bolt.Open(f.path, 0o600, nil)
	must(t, err)
	oldKey := append([]byte{classConflict}, make([]byte, 8+12)...)
	must(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSchedule)
		var moved [][]byte
		b.ForEach(func(k, _ []byte) error {
			if k[0] == classClinical {
				moved = append(moved, append([]byte(nil), k...))
			}
			return nil
		})
		if len(moved) == 0 {
			t.Fatal("the allergy is not indexed")
		}
		for _, k := range moved {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if err := b.Put(oldKey, nil); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSchema, u64(6))
	}))
	must(t, db.Close())
	f.open(t)
	f.login(t)
	allergies, err := f.doctor.Allergies(ann.ID, "migration check")
	if err != nil || len(allergies) != 1 || allergies[0].Substance != "penicillin" {
		t.Errorf("allergies after migration: %v %+v", err, allergies)
	}
	must(t, f.db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSchedule).Get(oldKey) != nil {
			t.Error("the schema-6 clinical entry under 'C' is still there")
		}
		return nil
	}))
}
