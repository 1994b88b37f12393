package tui

import "testing"

// TestDoctorHome: a doctor lands on their own day as a list, even on a
// terminal wide enough for every column, and booking starts with them;
// reception lands on the clinic's day.
func TestDoctorHome(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("okafor")
	h.mustSee("< Dr Amara Okafor >  2/3", "08:30  Zoë Ärzteweg", "completed")
	h.mustNotSee("Dr Sören Lindqvist           ") // no column of another doctor
	h.keys("/")
	h.typ("mary")
	h.keys("enter b")
	h.mustSee("Book appointment", "< Dr Amara Okafor >")

	h = newHarness(t, 120, 40)
	h.login("ana")
	h.mustSee("Dr Sören Lindqvist", "Dr Amara Okafor", "Dr Yuki Tanaka")
}
