package store

import (
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// TestVerifiedDirectoryEntriesFollowEveryWrite: the store remembers the
// directory entries it verified (every booking looks its doctor up), and
// sees at once a role change, a tampered entry and a tampered signer.
func TestVerifiedDirectoryEntriesFollowEveryWrite(t *testing.T) {
	f := newFixture(t)
	p := f.patient(t, "Ann Smith", "1990-01-02", "")
	book := func(when string) error {
		_, err := f.desk.Book(core.Appointment{PatientID: p.ID, Doctor: "drwho", Start: at(t, when), Minutes: 15})
		return err
	}
	notDoctor := func(doing string, err error) {
		t.Helper()
		var v *core.ValidationError
		if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "doctor" {
			t.Errorf("%s: %v, want a validation error on doctor", doing, err)
		}
	}
	must(t, book("2026-11-27 09:00"))
	must(t, book("2026-11-27 09:15"))

	// A directory entry altered in the file, under the memo.
	var saved, savedAdmin []byte
	tamper := func(name string, keep *[]byte) {
		must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketDirectory)
			v := b.Get([]byte(name))
			*keep = append([]byte(nil), v...)
			e, err := decodeDirEntry(v)
			if err != nil {
				return err
			}
			e.Sig = flipped(e.Sig, 3)
			return putEntry(tx, e)
		}))
	}
	restore := func(name string, v []byte) {
		must(t, f.db.bolt.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketDirectory).Put([]byte(name), v)
		}))
	}
	tamper("drwho", &saved)
	notDoctor("booking with a tampered doctor entry", book("2026-11-27 09:30"))
	restore("drwho", saved)
	must(t, book("2026-11-27 09:30"))

	// The doctor's signer (the admin who added them) altered.
	tamper("admin", &savedAdmin)
	notDoctor("booking with the doctor's signer tampered", book("2026-11-27 09:45"))
	restore("admin", savedAdmin)
	must(t, book("2026-11-27 09:45"))

	// A role change is seen by the next booking.
	must(t, f.admin.SetRole("drwho", core.RoleNurse))
	notDoctor("booking a former doctor", book("2026-11-27 10:00"))
	must(t, f.admin.SetRole("drwho", core.RoleDoctor))
	must(t, book("2026-11-27 10:00"))
}
