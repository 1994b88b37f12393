package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"medisecure/core"
	"medisecure/tui/screens/nurse"
)

// nurseLogin seeds José Núñez's chart, adds the nurse kim and logs her in.
func nurseLogin(h *harness) {
	seedChart(h.b)
	h.b.mu.Lock()
	h.b.users["kim"] = &fakeUser{pass: "demo", role: core.RoleNurse}
	h.b.mu.Unlock()
	h.login("kim")
}

// TestNurseGolden compares the nurse's day at 80x24 and 120x40 with its
// golden file (go test ./tui -run TestNurseGolden -update).
func TestNurseGolden(t *testing.T) {
	for _, sc := range []struct{ name, keys string }{{"home", ""}, {"refills", "tab"}, {"meds", "tab enter 4"}} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				h := newHarness(t, sz[0], sz[1])
				nurseLogin(h)
				if sc.keys != "" {
					h.keys(sc.keys)
				}
				v := h.view()
				checkSize(t, v, sz[0], sz[1])
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// A nurse's round: her home is the nurse's day with the patients waiting
// and the refill requests; from it she opens a chart, records vitals, a
// dose taken and one missed, asks a doctor for a refill and sets
// reminder times; she cannot stop a prescription. Back home, her request
// is queued for the doctor.
func TestNurseRound(t *testing.T) {
	h := newHarness(t, 80, 24)
	nurseLogin(h)
	if _, ok := h.front().(*nurse.Screen); !ok {
		t.Fatalf("the nurse's home is %T", h.front())
	}
	h.mustSee("Nurse's day", "waiting", "Refill requests waiting for a doctor (1)", "José Núñez", "metformin 500 mg twice a day", "t taken, x missed, L late")
	h.keys("tab enter")
	h.mustSee("José Núñez", "!! ALLERGIES: penicillin")
	h.keys("3 a")
	h.typ("118/76")
	h.keys("tab")
	h.typ("72")
	h.keys("ctrl+s")
	h.mustSee("Vitals recorded.", "BP systolic     118 mmHg")
	h.keys("6")
	h.mustSee("5 of 6 doses taken")
	h.keys("t")
	h.mustSee("Recorded: metformin dose taken.", "6 of 7 doses taken")
	h.keys("x")
	h.mustSee("Recorded: metformin dose missed.", "6 of 8 doses taken")
	h.keys("4 j")
	h.mustSee("> 2026-03-03  active    sertraline")
	h.keys("X")
	h.mustNotSee("Stop sertraline")
	h.keys("f")
	h.mustSee("Refill of sertraline asked for; it waits for a doctor.")
	h.keys("m")
	h.mustSee("Remind the patient to take sertraline")
	h.typ("08:00, 21:00")
	h.keys("enter")
	h.mustSee("Reminders set at 08:00, 21:00.")
	h.keys("6")
	h.mustSee("sertraline at 08:00, 21:00  active")
	h.keys("esc")
	h.mustSee("Nurse's day", "Refill requests waiting for a doctor (2)", "sertraline 50 mg once a day")
	r := h.b.clin.refills[0]
	if r.RequestedBy != "kim" || r.PrescriptionID != fakeID(508) || r.Status != core.RefillRequested {
		t.Fatalf("the request queued %+v", r)
	}
	if got := h.b.clin.adherence[len(h.b.clin.adherence)-1]; got.Taken || got.RecordedBy != "kim" {
		t.Fatalf("the missed dose was saved as %+v", got)
	}
}

// A doctor stops a prescription from the medications tab, with a reason
// that is required, shown with it, and saved.
func TestChartStopPrescription(t *testing.T) {
	h := newHarness(t, 80, 24)
	openChart(h)
	h.keys("4 j X")
	h.mustSee("Stop sertraline", "Reason")
	h.keys("enter")
	h.mustSee("status reason is required")
	h.typ("nausea; switching to citalopram")
	h.keys("enter")
	h.mustSee("Stopped sertraline; the reason is on the prescription.", "cancelled sertraline", "nausea; switching to citalopram")
	p := h.b.clin.rx[1]
	if p.Status != core.PrescriptionCancelled || p.StatusReason != "nausea; switching to citalopram" {
		t.Fatalf("prescription %+v", p)
	}
	h.keys("X")
	h.mustSee("That prescription is cancelled already.")
	if strings.Contains(h.view(), "Stop sertraline") {
		t.Fatal("the stop form opened on a cancelled prescription")
	}
}

// The nurse's day draws within every size from 1x1 up, without a panic.
func TestNurseEverySize(t *testing.T) {
	h := newHarness(t, 80, 24)
	nurseLogin(h)
	for _, sz := range [][2]int{{1, 1}, {10, 3}, {40, 10}, {79, 23}, {200, 60}, {300, 100}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkSize(t, h.view(), sz[0], sz[1])
	}
}
