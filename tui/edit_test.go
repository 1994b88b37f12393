package tui

import "testing"

// TestEditPatient: the record's details can be changed (nothing could be
// edited before); the record shows them at once and the store has them.
func TestEditPatient(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("e edit", "+49 30 1234567")
	h.keys("e")
	h.mustSee("Edit patient", "[Zoë Ärzteweg", "[+49 30 1234567")
	h.keys("tab tab ctrl+u") // phone
	h.typ("+49 30 7654321")
	h.keys("tab tab tab") // address
	h.typ("Torstraße 1, Berlin")
	h.keys("tab")
	h.typ("Ida Ärzteweg +49 30 555")
	h.keys("enter")
	h.mustSee("Saved Zoë Ärzteweg.", "+49 30 7654321", "Torstraße 1, Berlin", "Ida Ärzteweg +49 30 555")
	p := h.b.patients[0]
	if p.Phone != "+49 30 7654321" || p.Address != "Torstraße 1, Berlin" || p.EmergencyContact != "Ida Ärzteweg +49 30 555" || p.Email != "zoe@example.org" || !p.Consent.SMS {
		t.Fatalf("saved %+v", p)
	}
	h.keys("esc")
	h.mustSee("Find a patient")
}

// TestEditRefusesInvalid keeps the form and says why.
func TestEditRefusesInvalid(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter e tab tab ctrl+u")
	h.typ("12")
	h.keys("enter")
	h.mustSee("Please correct the fields marked above.", "Phone must be 6 to 15 digits")
	if h.b.patients[0].Phone != "+49 30 1234567" {
		t.Fatal("saved an invalid phone")
	}
}

// TestPatientVisits: the record shows what is booked and what was, from
// the patient's own appointments (the screen had neither).
func TestPatientVisits(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("Upcoming (1)", "Tue 10 Mar 09:30   Dr Yuki Tanaka", "History (1)", "Tue 10 Mar 08:30   Dr Amara Okafor", "completed")
	if want := "ana " + string(fakeID(1)) + " visits"; h.b.access[len(h.b.access)-1] != want {
		t.Fatalf("access log ends %q, want %q", h.b.access[len(h.b.access)-1], want)
	}
}
