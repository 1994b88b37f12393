package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// mixedCatchUp makes, on a, a catch-up's worth of changes of several kinds:
// patients and their appointments (every tenth slot booked twice), some
// of both changed again in the same transaction (an appointment moved a
// day: its old index keys go), then allergies, which file under the
// chart's index and merge with the write-behind written out before them,
// then some appointments moved again. It returns a's changes.
func mixedCatchUp(t *testing.T, a *peer) []core.Change {
	t.Helper()
	doctor, err := a.db.Login("drwho", "doctor-pass")
	must(t, err)
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
			slot := i - i/10
			ap := &core.Appointment{PatientID: p.ID, Doctor: fmt.Sprintf("dr.%d", slot%7), Room: fmt.Sprintf("room %d", i%3), Start: start.Add(time.Duration(slot/7) * 15 * time.Minute), Minutes: 15, Status: core.ApptBooked}
			if err := w.Add(ap); err != nil {
				return err
			}
			appts = append(appts, ap)
		}
		return nil
	}))
	must(t, a.desk.Batch(func(w *Writer) error {
		for i := 0; i < len(appts); i += 4 {
			appts[i].Start = appts[i].Start.Add(24 * time.Hour)
			if err := w.t.save(appts[i]); err != nil {
				return err
			}
		}
		for i := 1; i < len(patients); i += 3 {
			patients[i].Phone = fmt.Sprintf("555 9%03d", i)
			if err := w.t.save(patients[i]); err != nil {
				return err
			}
		}
		return nil
	}))
	for i := 0; i < len(patients); i += 50 {
		if _, err := doctor.AddAllergy(core.Allergy{PatientID: patients[i].ID, Substance: "latex", Reaction: "rash", Severity: core.SeverityMild}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, a.desk.Batch(func(w *Writer) error {
		for i := 0; i < len(appts); i += 8 {
			appts[i].Start = appts[i].Start.Add(-15 * time.Minute)
			if err := w.t.save(appts[i]); err != nil {
				return err
			}
		}
		return nil
	}))
	changes := a.outbox(t, seq)
	if len(changes) < aheadMin {
		t.Fatalf("%d changes, fewer than the %d of a catch-up's transaction", len(changes), aheadMin)
	}
	return changes
}

// sameIndex fails unless both replicas hold the same schedule index, key
// for key and value for value.
func sameIndex(t *testing.T, a, b *peer) {
	t.Helper()
	dump := func(r *peer) [][2][]byte {
		var out [][2][]byte
		must(t, r.db.bolt.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSchedule).ForEach(func(k, v []byte) error {
				out = append(out, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
				return nil
			})
		}))
		return out
	}
	da, db := dump(a), dump(b)
	if len(da) != len(db) {
		t.Fatalf("%s holds %d index entries, %s %d", a.name, len(da), b.name, len(db))
	}
	for i := range da {
		if !bytes.Equal(da[i][0], db[i][0]) || !bytes.Equal(da[i][1], db[i][1]) {
			t.Fatalf("index entry %d: %s has %x=%x, %s %x=%x", i, a.name, da[i][0], da[i][1], b.name, db[i][0], db[i][1])
		}
	}
}

// TestWriteBehindWritesWhatDirectWritesWould merges a catch-up in one
// transaction, its record and index puts held and written in key order,
// and in transactions of 40 changes written as they come: both replicas
// hold the same records, index entries, conflicts and search results.
func TestWriteBehindWritesWhatDirectWritesWould(t *testing.T) {
	ps, _ := replicas(t, "A", "whole", "pieces")
	a, whole, pieces := ps[0], ps[1], ps[2]
	changes := mixedCatchUp(t, a)
	got := whole.apply(t, changes)
	var sum ApplyResult
	for i := 0; i < len(changes); i += 40 {
		res := pieces.apply(t, changes[i:min(i+40, len(changes))])
		sum.Applied += res.Applied
		sum.Quarantined += res.Quarantined
		sum.Conflicts = res.Conflicts
	}
	if got != sum {
		t.Errorf("in one transaction %+v, in pieces %+v", got, sum)
	}
	if got.Conflicts == 0 || got.Quarantined != 0 {
		t.Errorf("merged %+v, want the double bookings in conflict and nothing quarantined", got)
	}
	sameExport(t, whole, pieces)
	sameExport(t, a, whole)
	sameIndex(t, whole, pieces)
	sameIndex(t, a, whole)
	for _, r := range []*peer{whole, pieces} {
		if found, err := r.desk.FindPatients("555 9004", 5); err != nil || len(found) != 1 {
			t.Errorf("%s: the updated patient is not found by its new phone: %v %v", r.name, found, err)
		}
	}
}

// batchesOf cuts changes of one device into pulled batches of n.
func batchesOf(changes []core.Change, n int) []PulledBatch {
	var out []PulledBatch
	for i := 0; i < len(changes); i += n {
		part := changes[i:min(i+n, len(changes))]
		out = append(out, PulledBatch{
			Batch:   Batch{Device: part[0].Device, First: part[0].Seq, Last: part[len(part)-1].Seq, Envelope: []byte(fmt.Sprintf("batch %d", i))},
			Changes: part,
		})
	}
	return out
}

// TestPreparedBatchesMergeAsUnprepared merges the same pulled batches on
// two replicas, prepared ahead (Session.PrepareBatch, as the sync client
// does) on one and not on the other: both hold the same records, index
// and conflicts. The allergies travel sealed and are prepared in the
// transaction from their opened form.
func TestPreparedBatchesMergeAsUnprepared(t *testing.T) {
	ps, _ := replicas(t, "A", "prepared", "plain")
	a, prepared, plain := ps[0], ps[1], ps[2]
	changes := mixedCatchUp(t, a)
	sealed := 0
	for i := range changes {
		if _, err := sealedOf(&changes[i]); err == nil {
			sealed++
		}
	}
	if sealed == 0 {
		t.Fatal("no change travels sealed")
	}
	ahead := batchesOf(changes, 300)
	for i := range ahead {
		prepared.desk.PrepareBatch(&ahead[i])
		if ahead[i].preparedFor() == nil || ahead[i].verifiedFor() == nil {
			t.Fatalf("batch %d not prepared", i)
		}
	}
	got, err := prepared.desk.ApplyBatches(ahead, 0)
	must(t, err)
	want, err := plain.desk.ApplyBatches(batchesOf(changes, 300), 0)
	must(t, err)
	if got != want || got.Conflicts == 0 || got.Quarantined != 0 {
		t.Errorf("prepared ahead %+v, not %+v; want the double bookings in conflict and nothing quarantined", got, want)
	}
	sameExport(t, prepared, plain)
	sameExport(t, a, prepared)
	sameIndex(t, prepared, plain)
	for _, r := range []*peer{prepared, plain} {
		// Patient 1098 is new here (its search entry made ahead, on
		// prepared); patient 4 was changed in the same transaction.
		for _, phone := range []string{"555 1098", "555 9004"} {
			if found, err := r.desk.FindPatients(phone, 5); err != nil || len(found) != 1 {
				t.Errorf("%s: the patient with phone %s is found %d times (%v)", r.name, phone, len(found), err)
			}
		}
	}
}

// TestPrepareOfOtherChangesIsNotTaken checks that a batch whose changes
// were replaced after Prepare merges what it holds, not what was prepared.
func TestPrepareOfOtherChangesIsNotTaken(t *testing.T) {
	ps, _ := replicas(t, "A", "B")
	a, b := ps[0], ps[1]
	seq := a.lastSeq(t)
	for i := range 3 {
		if _, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Patient %d", i), DOB: "1970-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	changes := a.outbox(t, seq)
	pb := batchesOf(changes, len(changes))[0]
	pb.Changes = changes[:1]
	pb.Prepare()
	pb.Changes = changes
	if pb.preparedFor() != nil {
		t.Fatal("what was prepared for one change is taken for three")
	}
	// Nor for as many other changes: what is taken is tied to the very
	// slice it was made of.
	b.desk.PrepareBatch(&pb)
	if pb.preparedFor() == nil || pb.verifiedFor() == nil {
		t.Fatal("the batch was not prepared")
	}
	pb.Changes = slices.Clone(changes)
	if pb.preparedFor() != nil || pb.verifiedFor() != nil {
		t.Fatal("what was prepared and checked for some changes is taken for a copy of them")
	}
	_, err := b.desk.ApplyBatches([]PulledBatch{pb}, 0)
	must(t, err)
	sameExport(t, a, b)
}

// TestSignaturesCheckedAheadStillRefuse checks that a batch whose
// signatures were checked ahead (Session.PrepareBatch) still has a change
// whose signature does not verify quarantined, and that a check made with
// keys the merging transaction's directory does not give is not taken.
func TestSignaturesCheckedAheadStillRefuse(t *testing.T) {
	ps, _ := replicas(t, "A", "B", "C")
	a, b, c := ps[0], ps[1], ps[2]
	seq := a.lastSeq(t)
	for i := range 4 {
		if _, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Patient %d", i), DOB: "1970-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	changes := a.outbox(t, seq)
	// The last change ends its author's chain: with its signature
	// broken, the ones before are checked one by one.
	tampered := append([]core.Change(nil), changes...)
	last := &tampered[len(tampered)-1]
	last.Sig = append([]byte(nil), last.Sig...)
	last.Sig[0] ^= 1
	pb := batchesOf(tampered, len(tampered))[0]
	b.desk.PrepareBatch(&pb)
	if pb.verifiedFor() == nil {
		t.Fatal("the batch's signatures were not checked ahead")
	}
	res, err := b.desk.ApplyBatches([]PulledBatch{pb}, 0)
	must(t, err)
	if res.Quarantined != 1 || res.Applied != len(tampered)-1 {
		t.Errorf("merged %+v, want the tampered change quarantined and the %d before it, each signed, applied", res, len(tampered)-1)
	}
	// A check that took another key for the author is made again.
	good := batchesOf(changes, len(changes))[0]
	c.desk.PrepareBatch(&good)
	for at := range good.verified.keys {
		good.verified.keys[at] = make([]byte, 32)
	}
	for i := range good.verified.why {
		good.verified.why[i] = "forged"
	}
	res, err = c.desk.ApplyBatches([]PulledBatch{good}, 0)
	must(t, err)
	if res.Applied != len(changes) || res.Quarantined != 0 {
		t.Errorf("merged %+v, want the %d changes checked again and applied", res, len(changes))
	}
	sameExport(t, a, c)
}

// TestDigestsOfAlteredChangesAreNotTaken checks that a batch whose
// changes come with the digests computed as they were opened
// (PulledBatch.Digests) merges them all when they are unchanged, and
// still quarantines one altered after opening: its digest is computed
// again.
func TestDigestsOfAlteredChangesAreNotTaken(t *testing.T) {
	ps, _ := replicas(t, "A", "B", "C")
	a, b, c := ps[0], ps[1], ps[2]
	seq := a.lastSeq(t)
	for i := range 4 {
		if _, err := a.desk.AddPatient(core.Patient{Name: fmt.Sprintf("Patient %d", i), DOB: "1970-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	changes := a.outbox(t, seq)
	good := batchesOf(changes, len(changes))[0]
	good.Digests = core.RestoreChain(good.Changes)
	b.desk.PrepareBatch(&good)
	res, err := b.desk.ApplyBatches([]PulledBatch{good}, 0)
	must(t, err)
	if res.Applied != len(changes) || res.Quarantined != 0 {
		t.Errorf("merged %+v, want all %d changes applied", res, len(changes))
	}
	sameExport(t, a, b)

	altered := batchesOf(slices.Clone(changes), len(changes))[0]
	altered.Digests = core.RestoreChain(altered.Changes)
	forged := &altered.Changes[1]
	forged.Fields = maps.Clone(forged.Fields)
	forged.Fields["name"] = json.RawMessage(`"Forged"`)
	c.desk.PrepareBatch(&altered)
	if altered.verifiedFor() == nil {
		t.Fatal("the batch's signatures were not checked ahead")
	}
	res, err = c.desk.ApplyBatches([]PulledBatch{altered}, 0)
	must(t, err)
	if res.Quarantined != 1 || res.Applied != len(changes)-1 {
		t.Errorf("merged %+v, want the altered change quarantined and the %d others applied", res, len(changes)-1)
	}
}
