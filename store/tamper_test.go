package store

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// rawUpdate changes a closed store file with bbolt directly, as someone
// with the file but not the keys could.
func rawUpdate(t testing.TB, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("opening %s with bbolt: %v", path, err)
	}
	defer b.Close()
	if err := b.Update(fn); err != nil {
		t.Fatalf("editing %s: %v", path, err)
	}
}

// flipped returns a copy of v with byte i inverted.
func flipped(v []byte, i int) []byte {
	out := append([]byte(nil), v...)
	out[i] ^= 0xff
	return out
}

// patientBucket is the nested bucket of patient records.
func patientBucket(tx *bolt.Tx) *bolt.Bucket {
	return tx.Bucket(bucketRecords).Bucket([]byte(core.KindPatient))
}

// wantCorrupt fails unless err is ErrCorrupt naming what.
func wantCorrupt(t testing.TB, doing string, err error, what ...string) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("%s: %v, want ErrCorrupt", doing, err)
		return
	}
	for _, w := range what {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not name %q", doing, err, w)
		}
	}
}

func TestFlippedByteInSealedRecordIsDetected(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   func(n int) int
	}{
		{"nonce", func(int) int { return 3 }},
		{"ciphertext", func(n int) int { return n / 2 }},
		{"tag", func(n int) int { return n - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "+48 601 555 013")
			ann := f.patient(t, "Ann Smith", "1990-01-02", "555 0101")
			f.close(t)
			rawUpdate(t, f.path, func(tx *bolt.Tx) error {
				b := patientBucket(tx)
				v := b.Get(zoe.ID.Bytes())
				return b.Put(zoe.ID.Bytes(), flipped(v, tc.at(len(v))))
			})
			f.open(t)
			f.login(t)

			_, err := f.desk.Patient(zoe.ID, "follow-up")
			wantCorrupt(t, "opening the tampered patient", err, "patient", string(zoe.ID))
			_, err = f.desk.FindPatients("zoe", 10)
			wantCorrupt(t, "a search that returns the tampered patient", err, "patient", string(zoe.ID))
			_, err = f.admin.Export(io.Discard)
			wantCorrupt(t, "export", err, "patient", string(zoe.ID))

			// The rest of the store still works.
			if p, err := f.desk.Patient(ann.ID, ""); err != nil || p.Name != "Ann Smith" {
				t.Errorf("an untouched patient: %+v %v", p, err)
			}
			if got, err := f.desk.FindPatients("smith", 10); err != nil || len(got) != 1 {
				t.Errorf("a search missing the tampered patient: %v %v", got, err)
			}
		})
	}
}

func TestMovedSealedValueIsDetected(t *testing.T) {
	// Each case moves sealed bytes somewhere else in the file and returns
	// a read that must then fail naming the kind and ID it read.
	for _, tc := range []struct {
		name string
		move func(tx *bolt.Tx, zoe, ann core.ID) error
		read func(f *fixture, zoe, ann core.ID) error
		what func(zoe, ann core.ID) []string
	}{
		{
			name: "swapped between two patients",
			move: func(tx *bolt.Tx, zoe, ann core.ID) error {
				b := patientBucket(tx)
				vz := append([]byte(nil), b.Get(zoe.Bytes())...)
				va := append([]byte(nil), b.Get(ann.Bytes())...)
				if err := b.Put(zoe.Bytes(), va); err != nil {
					return err
				}
				return b.Put(ann.Bytes(), vz)
			},
			read: func(f *fixture, zoe, _ core.ID) error { _, err := f.desk.Patient(zoe, ""); return err },
			what: func(zoe, _ core.ID) []string { return []string{"patient", string(zoe)} },
		},
		{
			name: "copied to a new record ID",
			move: func(tx *bolt.Tx, zoe, _ core.ID) error {
				b := patientBucket(tx)
				return b.Put(fakeID(1).Bytes(), append([]byte(nil), b.Get(zoe.Bytes())...))
			},
			read: func(f *fixture, _, _ core.ID) error { _, err := f.admin.Export(io.Discard); return err },
			what: func(_, _ core.ID) []string { return []string{"patient", string(fakeID(1))} },
		},
		{
			name: "copied to another kind",
			move: func(tx *bolt.Tx, zoe, _ core.ID) error {
				v := append([]byte(nil), patientBucket(tx).Get(zoe.Bytes())...)
				return tx.Bucket(bucketRecords).Bucket([]byte(core.KindNote)).Put(zoe.Bytes(), v)
			},
			read: func(f *fixture, _, _ core.ID) error { _, err := f.admin.Export(io.Discard); return err },
			what: func(zoe, _ core.ID) []string { return []string{"note", string(zoe)} },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "")
			ann := f.patient(t, "Ann Smith", "1990-01-02", "")
			f.close(t)
			rawUpdate(t, f.path, func(tx *bolt.Tx) error { return tc.move(tx, zoe.ID, ann.ID) })
			f.open(t)
			f.login(t)
			wantCorrupt(t, "reading after the move", tc.read(f, zoe.ID, ann.ID), tc.what(zoe.ID, ann.ID)...)
		})
	}
}

// fakeID is a well-formed ID that no record has.
func fakeID(n byte) core.ID {
	return core.ID(strings.Repeat("0", 22) + string("0123456789abcdef"[n>>4]) + string("0123456789abcdef"[n&15]))
}

// auditFixture is a store whose access log holds six entries.
func auditFixture(t testing.TB) *fixture {
	t.Helper()
	f := newFixture(t)
	zoe := f.patient(t, "Zoë Łukasiewicz", "1984-03-27", "")
	ann := f.patient(t, "Ann Smith", "1990-01-02", "")
	for _, step := range []func() error{
		func() error { _, err := f.desk.Patient(zoe.ID, "check-in"); return err },
		func() error { _, err := f.desk.FindPatients("smith", 5); return err },
		func() error { _, err := f.doctor.Patient(ann.ID, "consultation"); return err },
		func() error { _, err := f.desk.FindPatients("zoe", 5); return err },
		func() error { _, err := f.doctor.Patient(zoe.ID, "results"); return err },
		func() error { _, err := f.desk.Patient(ann.ID, "billing question"); return err },
	} {
		f.clock.t = f.clock.t.Add(time.Minute)
		must(t, step())
	}
	n, err := f.admin.AuditVerify()
	if err != nil || n != 6 {
		t.Fatalf("verify an intact log: %d, %v; want 6 entries", n, err)
	}
	return f
}

func TestAuditVerifyFindsTheFirstBadEntry(t *testing.T) {
	reseal := func(s *sealer, tx *bolt.Tx, seq uint64, edit func(*core.AccessEntry)) error {
		b := tx.Bucket(bucketAudit)
		key := u64(seq)
		e, err := decodeAccess(s, key, b.Get(key))
		if err != nil {
			return err
		}
		edit(&e)
		return b.Put(key, s.seal(bucketAudit, key, mustJSON(e)))
	}
	for _, tc := range []struct {
		name string
		// bug, when set, skips the case naming a known defect.
		bug    string
		tamper func(s *sealer, tx *bolt.Tx) error
		want   uint64
	}{
		{
			name: "a byte of an entry edited",
			tamper: func(_ *sealer, tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				return b.Put(u64(3), flipped(b.Get(u64(3)), 40))
			},
			want: 3,
		},
		{
			name:   "an entry in the middle deleted",
			tamper: func(_ *sealer, tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(u64(3)) },
			want:   3,
		},
		{
			name:   "the first entry deleted",
			tamper: func(_ *sealer, tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(u64(1)) },
			want:   1,
		},
		{
			name: "two entries swapped",
			tamper: func(_ *sealer, tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				v2 := append([]byte(nil), b.Get(u64(2))...)
				v4 := append([]byte(nil), b.Get(u64(4))...)
				if err := b.Put(u64(2), v4); err != nil {
					return err
				}
				return b.Put(u64(4), v2)
			},
			want: 2,
		},
		{
			name:   "the last entry deleted",
			tamper: func(_ *sealer, tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(u64(6)) },
			want:   6,
		},
		{
			name: "the last two entries deleted",
			tamper: func(_ *sealer, tx *bolt.Tx) error {
				b := tx.Bucket(bucketAudit)
				if err := b.Delete(u64(6)); err != nil {
					return err
				}
				return b.Delete(u64(5))
			},
			want: 5,
		},
		{
			// With the store key an entry can be resealed; only the hash
			// chain catches that, at the next entry (core.VerifyChain).
			name: "an entry resealed with a new reason",
			tamper: func(s *sealer, tx *bolt.Tx) error {
				return reseal(s, tx, 3, func(e *core.AccessEntry) { e.Reason = "nothing to see" })
			},
			want: 4,
		},
		{
			name: "the newest entry resealed with a new reason",
			tamper: func(s *sealer, tx *bolt.Tx) error {
				return reseal(s, tx, 6, func(e *core.AccessEntry) { e.Reason = "nothing to see" })
			},
			want: 6,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip(tc.bug)
			}
			f := auditFixture(t)
			s := f.db.keys.store
			f.close(t)
			rawUpdate(t, f.path, func(tx *bolt.Tx) error { return tc.tamper(s, tx) })
			f.open(t)
			n, err := f.admin.AuditVerify()
			var ae *AuditError
			if !errors.As(err, &ae) {
				t.Fatalf("verify: %d, %v; want an *AuditError", n, err)
			}
			if ae.Seq != tc.want {
				t.Errorf("verify names entry %d (%v), want %d", ae.Seq, err, tc.want)
			}
			if !errors.Is(err, ErrAuditBroken) {
				t.Errorf("%v does not match ErrAuditBroken", err)
			}
		})
	}
}

func TestOpenRefusesBadFiles(t *testing.T) {
	// A real store to derive broken ones from.
	base := newFixture(t)
	base.patient(t, "Ann Smith", "1990-01-02", "")
	base.close(t)
	good, err := os.ReadFile(base.path)
	must(t, err)

	noise := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	file := func(b []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) { must(t, os.WriteFile(path, b, 0o600)) }
	}
	storeWith := func(edit func(tx *bolt.Tx) error) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			must(t, os.WriteFile(path, good, 0o600))
			rawUpdate(t, path, edit)
		}
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		want error
		// foreign is set for files that are not bbolt files at all: a
		// refused open must leave them exactly as they were.
		foreign bool
	}{
		{name: "random bytes", make: file(noise), want: ErrNotStore, foreign: true},
		{name: "zeros", make: file(make([]byte, 32<<10)), want: ErrNotStore, foreign: true},
		{name: "a text file", make: file([]byte("name,dob\nAnn,1990-01-02\n")), want: ErrNotStore, foreign: true},
		{name: "an empty file", make: file(nil), want: ErrNotStore},
		{
			name: "a bbolt file without our buckets",
			make: func(t *testing.T, path string) {
				rawUpdate(t, path, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
			},
			want: ErrNotStore,
		},
		{
			name: "a schema key of the wrong size",
			make: storeWith(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaSchema, []byte{SchemaVersion}) }),
			want: ErrNotStore,
		},
		{
			name: "a newer schema",
			make: storeWith(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaSchema, u64(SchemaVersion+1)) }),
			want: ErrNewerSchema,
		},
		{
			name: "schema zero",
			make: storeWith(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaSchema, u64(0)) }),
			want: ErrCorrupt,
		},
		{
			name: "a bucket missing",
			make: storeWith(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketAudit) }),
			want: ErrCorrupt,
		},
		{
			name: "the counters bucket missing",
			make: storeWith(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketCounters) }),
			want: ErrCorrupt,
		},
		{
			name: "a broken organisation record",
			make: storeWith(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaOrg, []byte("{")) }),
			want: ErrCorrupt,
		},
		{
			name: "a short root key",
			make: storeWith(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaRoot, []byte("short")) }),
			want: ErrCorrupt,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "clinic.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			must(t, err)
			db, err := Open(path, Options{})
			if err == nil {
				db.Close()
				t.Fatal("opened it")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("open: %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("%q does not name the file", err)
			}
			after, err := os.ReadFile(path)
			must(t, err)
			if tc.foreign && !bytes.Equal(before, after) {
				t.Error("a refused open changed the file")
			}
			// Nothing is left holding the file.
			if _, err := Open(path, Options{}); errors.Is(err, ErrInUse) {
				t.Errorf("second open: %v", err)
			}
		})
	}
}

func TestOpenLeavesAnEmptyFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clinic.db")
	must(t, os.WriteFile(path, nil, 0o600))
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNotStore) {
		t.Errorf("open: %v, want ErrNotStore", err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 0 {
		t.Errorf("the empty file is now %d bytes (%v)", st.Size(), err)
	}
}

// truncatedStore writes a store with some records cut to frac of its size.
func truncatedStore(t *testing.T, frac float64) string {
	t.Helper()
	f := newFixture(t)
	must(t, f.desk.Batch(func(w *Writer) error {
		for i := range 300 {
			p := &core.Patient{Name: "Patient " + strings.Repeat("x", i%7), DOB: "1980-01-01"}
			if err := w.Add(p); err != nil {
				return err
			}
		}
		return nil
	}))
	f.close(t)
	raw, err := os.ReadFile(f.path)
	must(t, err)
	path := filepath.Join(t.TempDir(), "cut.db")
	must(t, os.WriteFile(path, raw[:int(float64(len(raw))*frac)], 0o600))
	return path
}

func TestOpenTruncatedStore(t *testing.T) {
	t.Run("refused without holding the file", func(t *testing.T) {
		path := truncatedStore(t, 0.5)
		_, err := Open(path, Options{})
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotStore) {
			t.Fatalf("open: %v, want ErrCorrupt or ErrNotStore", err)
		}
		if _, err2 := Open(path, Options{}); errors.Is(err2, ErrInUse) {
			t.Errorf("second open: %v; the first refused open still holds the file", err2)
		}
	})
	t.Run("refused without a crash", func(t *testing.T) {
		// Cut at 3/4 the file may lose only bbolt's preallocated tail, in
		// which case the store is whole and must work; what it must never
		// do is fault.
		path := truncatedStore(t, 0.75)
		db, err := Open(path, Options{KDF: testKDF})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotStore) {
				t.Errorf("open: %v, want ErrCorrupt or ErrNotStore", err)
			}
			return
		}
		defer db.Close()
		s, err := db.Login("desk", "desk-pass")
		must(t, err)
		if got, err := s.FindPatients("patient", 400); err != nil || len(got) != 300 {
			t.Errorf("after a harmless cut: %d patients, %v", len(got), err)
		}
	})
}

func TestSecondOpenIsRefusedWhileInUse(t *testing.T) {
	f := newFixture(t)
	db, err := Open(f.path, Options{Now: f.clock.now, KDF: testKDF})
	if err == nil {
		db.Close()
		t.Fatal("a second Open of a store in use succeeded")
	}
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), f.path) {
		t.Errorf("second open: %v, want ErrInUse naming the file", err)
	}
	// The first handle is unharmed.
	if _, err := f.desk.AddPatient(core.Patient{Name: "Ann Smith", DOB: "1990-01-02"}); err != nil {
		t.Errorf("writing through the first handle: %v", err)
	}
}
