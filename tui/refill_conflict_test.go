package tui

import (
	"testing"

	"medisecure/core"
)

// A refill approved on two offline workstations reaches the doctor's
// conflicts list (! from the day) beside the double booking; 1 and a
// reason settle it as both dispensed, which counts the second refill on
// the prescription and closes the conflict; the double booking stays.
func TestRefillApprovedTwiceFromTheDay(t *testing.T) {
	h := newHarness(t, 80, 24)
	seedChart(h.b)
	h.b.mu.Lock()
	r := &h.b.clin.refills[0]
	r.Status, r.DecidedBy, r.Approval = core.RefillApproved, "okafor", fakeID(900)
	h.b.conflicts = append(h.b.conflicts, *core.NewRefillConflict(r.ID, []core.ID{fakeID(900), fakeID(901)}, r.CreatedAt))
	h.b.mu.Unlock()
	h.login("okafor")
	h.keys("!")
	h.mustSee("Open conflicts (2)", "refill approved twice", "José Núñez")
	h.keys("j")
	h.mustSee("metformin 500 mg twice a day (refills 1/2)", "1 both dispensed", "2 second recalled", "(2 approvals)")
	h.keys("1")
	h.mustSee("Reason")
	h.typ("both bottles collected")
	h.keys("enter")
	h.mustSee("Settled: metformin for José Núñez, both dispensed.", "Open conflicts (1)")
	h.mustNotSee("refill approved twice")
	if got := h.b.clin.rx[0].Medications[0].RefillsUsed; got != 2 {
		t.Fatalf("refills used %d, want 2", got)
	}
	if got := h.b.clin.refills[0].Resolution; got != core.RefillBothDispensed+": both bottles collected" {
		t.Fatalf("resolution %q", got)
	}
}
