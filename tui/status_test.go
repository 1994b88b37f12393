package tui

import (
	"testing"

	"medisecure/core"
)

// TestStatusRefusedOnAnotherDay: on a future day c, s, d and x change
// nothing (they changed tomorrow's visits without a word before), and a
// no-show is refused before the start time.
func TestStatusRefusedOnAnotherDay(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l ]") // Dr Okafor, Wednesday: Anna Schmidt at 14:00
	h.mustSee("Wed 11 Mar 2026", "> 14:00  Anna Schmidt")
	for _, k := range []string{"c", "x"} {
		h.keys(k)
		if got := h.b.appt(t, fakeID(212)); got.Status != core.ApptBooked {
			t.Fatalf("after %s tomorrow's appointment is %s", k, got.Status)
		}
	}
	h.keys("c")
	h.mustSee("This appointment can be checked in only on its day, Wed 11 Mar 2026.")
	h.keys("t j j j") // today, 10:00 Mary O'Brien, not yet begun
	h.mustSee("> 10:00  Mary O'Brien")
	h.keys("x")
	h.mustSee("can be marked as a no-show only after it starts at 10:00.")
	if got := h.b.appt(t, fakeID(204)); got.Status != core.ApptBooked {
		t.Fatalf("no-show before the start: %s", got.Status)
	}
}

// TestUndoStatus takes back a mistaken check-in with a reason the store
// keeps; "cannot go from checked in to booked" is gone.
func TestUndoStatus(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l j c") // check in Anna Schmidt at 09:15
	h.mustSee("Checked in Anna Schmidt (09:15). u undoes it.", "Waiting room (3)")
	h.keys("u")
	h.mustSee("Back to booked: 09:15 Anna Schmidt, reason:", "[pressed by mistake")
	h.keys("enter")
	h.mustSee("Back to booked: Anna Schmidt (09:15).", "Waiting room (2)")
	got := h.b.appt(t, fakeID(203))
	if got.Status != core.ApptBooked || got.StatusReason != "pressed by mistake" || !got.CheckedInAt.IsZero() {
		t.Fatalf("after undo the appointment is %+v", got)
	}
	h.keys("u")
	h.mustSee("Nothing to undo")
}

// TestMoveOnlyWhatCanMove: a checked-in visit is not offered "move"
// (moving it failed with "cannot go from checked in to moved").
func TestMoveOnlyWhatCanMove(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("ana")
	h.keys("l") // Dr Okafor: José Núñez, checked in
	h.mustSee("09:00-09:15 José Núñez")
	h.mustNotSee("m move")
	h.keys("m")
	h.mustSee("Only a booked appointment can be moved")
	h.mustNotSee("Move appointment")
	h.keys("j") // Anna Schmidt, booked
	h.mustSee("m move")
}
