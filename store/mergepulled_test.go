package store

import (
	"errors"
	"reflect"
	"testing"

	"medisecure/core"
)

// TestMergePulledAsApplyBatches merges the same pulled batches on two
// replicas: one transaction that merges them one by one as they come
// (MergePulled, as the sync client streams them), and ApplyBatches of them
// all. Both end the same: records, index, conflicts, cursor, and the
// result reported.
func TestMergePulledAsApplyBatches(t *testing.T) {
	ps, _ := replicas(t, "A", "streamed", "whole")
	a, streamed, whole := ps[0], ps[1], ps[2]
	changes := mixedCatchUp(t, a)
	batches := batchesOf(changes, 300)
	for i := range batches {
		streamed.desk.PrepareBatch(&batches[i])
	}
	got, err := streamed.desk.MergePulled(func(m *PullMerge) (uint64, bool, error) {
		for i := range batches {
			if err := m.Merge(&batches[i]); err != nil {
				return 0, false, err
			}
		}
		return 77, true, nil
	})
	must(t, err)
	want, err := whole.desk.ApplyLastBatches(batchesOf(changes, 300), 77)
	must(t, err)
	if got != want || got.Conflicts == 0 {
		t.Errorf("merged as they came %+v, all at once %+v; want the same, with the double bookings in conflict", got, want)
	}
	sameExport(t, streamed, whole)
	sameExport(t, a, streamed)
	sameIndex(t, streamed, whole)
	for _, r := range []*peer{streamed, whole} {
		st, err := r.desk.SyncState()
		must(t, err)
		if st.Cursor != 77 {
			t.Errorf("%s: cursor %d, want 77", r.name, st.Cursor)
		}
	}
}

// TestMergePulledRollsBackWhole checks that a transaction of MergePulled
// that fails after merging some batches leaves nothing of them: no record,
// no kept batch, the cursor where it was; the same batches then merge.
func TestMergePulledRollsBackWhole(t *testing.T) {
	ps, _ := replicas(t, "A", "B", "fresh")
	a, b, fresh := ps[0], ps[1], ps[2]
	changes := mixedCatchUp(t, a)
	batches := batchesOf(changes, 300)
	before, err := b.desk.Have()
	must(t, err)
	cut := errors.New("the link went down")
	_, err = b.desk.MergePulled(func(m *PullMerge) (uint64, bool, error) {
		for i := range batches[:len(batches)-1] {
			if err := m.Merge(&batches[i]); err != nil {
				return 0, false, err
			}
		}
		return 0, false, cut
	})
	if !errors.Is(err, cut) {
		t.Fatalf("MergePulled returned %v, want %v", err, cut)
	}
	after, err := b.desk.Have()
	must(t, err)
	if len(after) != len(before) {
		t.Errorf("after a failed transaction the store keeps batches of %v, before %v", after, before)
	}
	if st, err := b.desk.SyncState(); err != nil || st.Cursor != 0 {
		t.Errorf("after a failed transaction the cursor is %d (%v), want 0", st.Cursor, err)
	}
	sameExport(t, b, fresh)
	_, err = b.desk.ApplyBatches(batchesOf(changes, 300), 5)
	must(t, err)
	sameExport(t, a, b)
}

// TestHeldOwnerDaysReadAsTheIndex checks that slotsNear gives the same
// slots from the owner days the conflict check holds as from the index,
// for every appointment of a catch-up with double bookings, read in any
// order, near or not, and read again from what is held.
func TestHeldOwnerDaysReadAsTheIndex(t *testing.T) {
	ps, _ := replicas(t, "A")
	a := ps[0]
	mixedCatchUp(t, a)
	var appts []*core.Appointment
	must(t, a.desk.view(func(tx *txn) error {
		return tx.each(core.KindAppointment, func(rec *core.Record) error {
			e, err := decodeEntity(rec)
			if err != nil {
				return err
			}
			appts = append(appts, e.(*core.Appointment))
			return nil
		})
	}))
	if len(appts) < 100 {
		t.Fatalf("only %d appointments", len(appts))
	}
	clashes := 0
	must(t, a.desk.view(func(tx *txn) error {
		read := func() (near, all [][]core.Slot) {
			for i := range appts {
				ap := appts[len(appts)-1-i]
				want, day := ap.Slot(), core.DateOf(ap.Start, tx.s.db.zone)
				near = append(near, tx.contenders(want, day))
				all = append(all, tx.busy(want, day))
			}
			return near, all
		}
		near, all := read()
		release := tx.holdOwnerDays()
		heldNear, heldAll := read()
		again, _ := read()
		release()
		if tx.ownerDays != nil {
			t.Error("the owner days are still held after release")
		}
		if !reflect.DeepEqual(near, heldNear) || !reflect.DeepEqual(near, again) || !reflect.DeepEqual(all, heldAll) {
			t.Error("slots read from the owner days held differ from the index's")
		}
		for i := range near {
			clashes += len(core.Clashes(appts[len(appts)-1-i].Slot(), near[i]))
		}
		return nil
	}))
	if clashes == 0 {
		t.Error("no appointment clashes: the check is not exercised")
	}
}
