package tui

import (
	"testing"

	"medisecure/core"
)

// TestAdminSetsWorkingHours: a doctor added without hours could never be
// booked; the admin sets them on the schedules screen and the booking
// form then finds the doctor's slots.
func TestAdminSetsWorkingHours(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.b.doctors = append(h.b.doctors, core.User{Name: "new", DisplayName: "Dr New Hire", Role: core.RoleDoctor})
	h.login("admin")
	h.keys("?")
	h.mustSee("A      users", "H      working hours")
	h.keys("?")
	h.keys("A")
	h.mustSee("Users (", "new", "Dr New Hire")
	h.keys("down down down enter") // admin, ana, lindqvist, new
	h.mustSee("Working hours", "< Dr New Hire >", "No working hours yet")
	h.keys("tab")
	for range 5 { // Monday to Friday
		h.typ("08:00-12:00, 13:00-17:00")
		h.keys("tab")
	}
	h.keys("tab tab ctrl+u") // past the weekend, to the slot
	h.typ("20")
	h.keys("tab")
	h.typ("Room 7, Room 8")
	h.keys("enter")
	h.mustSee("Saved the working hours of Dr New Hire.")
	sc := h.b.scheds["new"]
	want := []core.Span{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	if sc.SlotMinutes != 20 || len(sc.Rooms) != 2 || sc.Rooms[1] != "Room 8" || len(sc.Hours[1]) != 2 || sc.Hours[1][1] != want[1] || len(sc.Hours[6]) != 0 {
		t.Fatalf("saved %+v", sc)
	}
}

// TestScheduleFormRefusesNonsense keeps the form with a sentence saying
// what is wrong.
func TestScheduleFormRefusesNonsense(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("okafor") // a doctor sets their own
	h.keys("H")
	h.mustSee("< Dr Amara Okafor >", "[08:00-12:00, 13:00-17:00")
	h.keys("ctrl+u")
	h.typ("nine to five")
	h.keys("enter")
	h.mustSee("Monday: hours like 08:00-12:00")
	h.keys("ctrl+u")
	h.typ("08:00-12:00, 11:00-13:00")
	h.keys("enter")
	h.mustSee("overlapping")
	if got := h.b.scheds["okafor"].Hours[1]; len(got) != 2 || got[1].Start != 13*60 {
		t.Fatalf("saved a refused form: %+v", got)
	}
}
