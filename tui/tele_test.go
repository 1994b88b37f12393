package tui

import (
	"testing"
	"time"
)

// Telemedicine was not reachable from the screens. From the doctor's day
// list, V opens the selected appointment's video consultation: booking is
// refused in a sentence without the patient's consent, then booked with
// its link, started, and ended with how long it lasted.
func TestVideoVisitFromTheDayList(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("okafor")
	h.keys("V")
	h.mustSee("Video consultation", "Appointment", "No video session yet")
	h.keys("b")
	h.mustSee("not agreed to telemedicine")
	h.b.mu.Lock()
	for i := range h.b.patients {
		h.b.patients[i].Consent.Telemedicine = true
	}
	h.b.mu.Unlock()
	h.keys("b")
	h.mustSee("scheduled", "https://meet.example.org/medisecure-room")
	h.keys("s")
	h.mustSee("live", "Started      09:12")
	h.b.clock.Advance(14 * time.Minute)
	h.keys("e")
	h.mustSee("ended", "lasted 14m0s")
	h.keys("esc")
	h.mustSee("Dr Amara Okafor")
}
