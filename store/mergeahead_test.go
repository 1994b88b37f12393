package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// TestMergeAheadMergesAsInLine merges a catch-up big enough for the
// goroutine ahead (new records, updates of records made earlier in the same
// transaction, tombstones, double bookings, a malformed change and a
// duplicate) in one transaction on one replica, and in transactions of 50
// changes, prepared in line, on another: both hold the same records,
// conflicts and quarantine.
func TestMergeAheadMergesAsInLine(t *testing.T) {
	ps, clk := replicas(t, "A", "whole", "pieces")
	a, whole, pieces := ps[0], ps[1], ps[2]
	seq := a.lastSeq(t)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var patients []*core.Patient
	var appts []*core.Appointment
	must(t, a.desk.Batch(func(w *Writer) error {
		for i := range 1100 {
			p := &core.Patient{Name: fmt.Sprintf("Patient %d", i), DOB: "1970-01-01", Phone: fmt.Sprintf("555 %04d", i)}
			if err := w.Add(p); err != nil {
				return err
			}
			patients = append(patients, p)
			// Every tenth slot is booked twice: a conflict.
			slot := i - i/10
			ap := &core.Appointment{PatientID: p.ID, Doctor: fmt.Sprintf("dr.%d", slot%7), Start: start.Add(time.Duration(slot/7) * 15 * time.Minute), Minutes: 15, Status: core.ApptBooked}
			if err := w.Add(ap); err != nil {
				return err
			}
			appts = append(appts, ap)
		}
		return nil
	}))
	clk.t = clk.t.Add(time.Second)
	must(t, a.desk.Batch(func(w *Writer) error {
		for i := 0; i < len(patients); i += 3 {
			patients[i].Phone = fmt.Sprintf("555 9%03d", i)
			if err := w.t.save(patients[i]); err != nil {
				return err
			}
		}
		for i := 0; i < len(appts); i += 5 {
			appts[i].Start = appts[i].Start.Add(24 * time.Hour)
			if err := w.t.save(appts[i]); err != nil {
				return err
			}
		}
		return nil
	}))
	changes := a.outbox(t, seq)
	bad := changes[0]
	bad.Seq, bad.Fields = 1<<40, map[string]json.RawMessage{"name": json.RawMessage(`"spaced" `)}
	changes = append(changes, bad, changes[7])
	if len(changes) < aheadMin {
		t.Fatalf("%d changes, fewer than the %d that run ahead", len(changes), aheadMin)
	}
	got := whole.apply(t, changes)
	var sum ApplyResult
	for i := 0; i < len(changes); i += 50 {
		res := pieces.apply(t, changes[i:min(i+50, len(changes))])
		sum.Applied += res.Applied
		sum.Quarantined += res.Quarantined
		sum.Conflicts = res.Conflicts
	}
	if got != sum {
		t.Errorf("in one transaction %+v, in pieces %+v", got, sum)
	}
	if got.Quarantined != 1 || got.Conflicts == 0 {
		t.Errorf("merged %+v, want the malformed change quarantined and the double bookings in conflict", got)
	}
	sameExport(t, whole, pieces)
	sameExport(t, a, whole)
	for _, r := range []*peer{whole, pieces} {
		if found, err := r.desk.FindPatients("555 9003", 5); err != nil || len(found) != 1 || found[0].ID != patients[3].ID {
			t.Errorf("%s: the updated patient is not found by its new phone: %v %v", r.name, found, err)
		}
	}
}

// TestPrepareMakesWhatApplyMakes checks that a change prepared ahead
// makes the record core.NewRecord and Apply make of it, field for field.
func TestPrepareMakesWhatApplyMakes(t *testing.T) {
	for _, n := range []int{1, 8, 9, 30} {
		c := core.Change{Kind: core.KindPatient, ID: "0123456789abcdef01234567", Device: "dev-a", HLC: 77, Fields: map[string]json.RawMessage{}}
		for i := range n {
			c.Fields[fmt.Sprintf("field%d", i)] = json.RawMessage(fmt.Sprintf(`"v%d"`, i))
		}
		want := core.NewRecord(c.Kind, c.ID)
		want.Apply(&c)
		p := prepare(&c)
		if p.rec == nil || p.rec.Kind != want.Kind || p.rec.ID != want.ID || !reflect.DeepEqual(p.rec.Fields, want.Fields) {
			t.Fatalf("%d fields: prepared %+v, want %+v", n, p.rec, want)
		}
		if !bytes.Equal(p.encoded, encodeRecord(want)) {
			t.Fatalf("%d fields: prepared bytes differ", n)
		}
	}
}

// TestRecordsSealedAheadAreTakenOnlyFromTheirSealer checks that a record
// PrepareBatch sealed ahead is stored as it was sealed, and that one sealed
// by another sealer than the one the merging transaction seals its kind
// with is sealed again: every record opens, and the export is A's.
func TestRecordsSealedAheadAreTakenOnlyFromTheirSealer(t *testing.T) {
	ps, _ := replicas(t, "A", "B")
	a, b := ps[0], ps[1]
	seq := a.lastSeq(t)
	var ids []core.ID
	for i := range 4 {
		p, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Sealed Ahead%d", i), DOB: "1970-01-01"})
		must(t, err)
		ids = append(ids, p.ID)
	}
	pb := batchesOf(a.outbox(t, seq), 100)[0]
	b.desk.PrepareBatch(&pb)
	other, err := newSealer(bytes.Repeat([]byte{7}, 32))
	must(t, err)
	var ahead [][]byte
	for i := range pb.prepared {
		p := &pb.prepared[i]
		if p.sealed == nil || p.sealer == nil {
			t.Fatalf("change %d was not sealed ahead", i)
		}
		if i%2 == 1 {
			// Sealed by a key the store does not seal with.
			bucket, key := recordKey(p.rec.Kind, p.rec.ID)
			p.sealed, p.sealer = other.seal(bucket, key, p.encoded), other
		}
		ahead = append(ahead, p.sealed)
	}
	_, err = b.desk.ApplyBatches([]PulledBatch{pb}, 0)
	must(t, err)
	must(t, b.db.bolt.View(func(tx *bolt.Tx) error {
		for i, id := range ids {
			stored := kindBucket(tx, core.KindPatient).Get(id.Bytes())
			if taken := bytes.Equal(stored, ahead[i]); taken != (i%2 == 0) {
				t.Errorf("patient %d: stored as sealed ahead %v, want %v", i, taken, i%2 == 0)
			}
		}
		return nil
	}))
	for _, id := range ids {
		if _, err := b.desk.Patient(id, "check"); err != nil {
			t.Errorf("patient %s does not open: %v", id, err)
		}
	}
	sameExport(t, a, b)
}
