package tui

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"medisecure/core"
	"medisecure/tui/screens/patient"
)

// appt returns the fake's appointment n.
func (b *fakeBackend) appt(t testing.TB, id core.ID) core.Appointment {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if i := b.find(id); i >= 0 {
		return b.appts[i]
	}
	t.Fatalf("no appointment %s", id)
	return core.Appointment{}
}

func TestLoginErrors(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.typ("ana")
	h.keys("enter")
	h.typ("wrong")
	h.keys("enter")
	h.mustSee("Wrong user or passphrase.")
	h.mustNotSee("core:", "store:")
	if h.m.sess != nil {
		t.Fatal("logged in with a wrong passphrase")
	}
	for i := 0; i < 4; i++ {
		h.typ("wrong")
		h.keys("enter")
	}
	h.mustSee("Too many failed logins; try again after 09:12:30 CET.") // the clinic zone, as the clock shows
	h.mustNotSee("Wrong user or passphrase.")

	// An unknown user reads the same as a wrong passphrase.
	h = newHarness(t, 80, 24)
	h.typ("nobody")
	h.keys("enter")
	h.typ("demo")
	h.keys("enter")
	h.mustSee("Wrong user or passphrase.")
	h.mustSee(demoHint)
}

func TestFindAndOpenPatient(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	for _, q := range []string{"zoe", "ARZT", "30 1234567", "1990-05"} {
		h.keys("ctrl+u")
		h.typ(q)
		h.mustSee("Zoë Ärzteweg", "1 patient")
	}
	h.keys("ctrl+u")
	h.typ("anna")
	h.mustSee("Anna Schmid ", "Anna Schmidt", "2 patients")
	h.keys("down enter")
	h.mustSee("Anna Schmidt", "1975-02-01 (51)", "+49 89 7654321")
	if want := "ana " + string(fakeID(4)) + " front desk lookup"; !slices.Contains(h.b.access, want) {
		t.Fatalf("access log %q lacks %q", h.b.access, want)
	}
	h.keys("esc")
	h.mustSee("Find a patient", "Anna Schmid ")
	h.keys("esc")
	h.mustSee("Waiting room")
}

// TestSearchDropsStaleResults types two letters, then answers the second
// query before the first: the first answer must not replace the second.
func TestSearchDropsStaleResults(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	_, first := h.m.Update(press("a"))
	_, second := h.m.Update(press("n"))
	h.send(second)
	h.mustSee("Anna Schmid ", "Anna Schmidt", "2 patients")
	h.send(first) // "a" matches more patients
	h.mustSee("2 patients")
	h.mustNotSee("José")
}

func TestRegisterPatient(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("n")
	h.typ("Søren Kierkegaard")
	h.keys("tab")
	h.typ("1813-05-05")
	h.keys("tab")
	h.mustSee("Date of birth is before 1880.")
	h.keys("shift+tab ctrl+u")
	h.typ("2030-01-01")
	h.mustSee("Date of birth is in the future.")
	h.keys("ctrl+u")
	h.typ("1985-05-05")
	h.mustNotSee("Date of birth is")
	h.keys("tab")
	h.typ("12")
	h.mustSee("Phone must be 6 to 15 digits")
	h.typ("345678")
	h.keys("tab")
	h.typ("soren@")
	h.mustSee("E-mail must be an address like name@example.org.")
	h.typ("example.dk")
	h.keys("tab")
	h.typ("male")
	h.keys("tab")
	h.typ("Nytorv 2, København")
	h.keys("tab")
	h.typ("Regine Olsen +45 3312 3456")
	h.keys("tab")
	h.typ("Sygeforsikring")
	h.keys("tab")
	h.typ("DK-778812")
	h.keys("tab space tab tab tab space")
	h.mustSee("[x] SMS reminders", "[x] Data sharing", "[ ] E-mail")
	h.keys("enter")
	h.mustSee("Registered Søren Kierkegaard.", "12345678", "SMS yes, e-mail no, telemedicine no, data sharing yes",
		"Nytorv 2, København", "Regine Olsen +45 3312 3456", "Sygeforsikring DK-778812")
	p := h.b.patients[len(h.b.patients)-1]
	if p.Name != "Søren Kierkegaard" || p.DOB != "1985-05-05" || p.Sex != "male" || !p.Consent.SMS || !p.Consent.DataSharing ||
		p.Address != "Nytorv 2, København" || p.EmergencyContact != "Regine Olsen +45 3312 3456" || p.InsurerName != "Sygeforsikring" || p.InsuranceNumber != "DK-778812" {
		t.Fatalf("saved %+v", p)
	}
}

func TestRegisterWarnsAboutDuplicate(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("n")
	h.typ("anna SCHMIDT")
	h.keys("tab")
	h.typ("1975-2-1")
	h.keys("enter")
	h.mustSee("Probably already registered: Anna Schmidt, born 1975-02-01")
	n := len(h.b.patients)
	if got := len(h.b.patients); got != n {
		t.Fatal("saved before the duplicate was confirmed")
	}
	h.keys("enter")
	h.mustSee("Registered anna SCHMIDT.")
	if got := len(h.b.patients); got != n+1 {
		t.Fatalf("%d patients, want %d", got, n+1)
	}
}

func TestRegisterRefusesInvalidForm(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("1999-12-31")
	h.keys("ctrl+n") // the search text becomes the date of birth
	h.keys("enter")
	h.mustSee("Name is required.", "Please correct the fields marked above.")
	h.mustNotSee("Date of birth is", "Date of birth must")
}

func TestBookClashTakeNext(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("ana")
	h.keys("l b") // Dr Okafor
	h.mustSee("Book: pick the patient")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("Book appointment", "< Dr Amara Okafor >", "[15   ] minutes")
	h.typ("tomorrow 14:00")
	h.mustSee("Wed 11 Mar 2026 14:00", "Clash: Dr Amara Okafor is already booked then.", "Next free: Wed 11 Mar 14:15")
	before := len(h.b.appts)
	h.keys("enter")
	if len(h.b.appts) != before {
		t.Fatal("booked into a clash")
	}
	h.mustSee("Press t to take it")
	h.keys("t")
	h.mustSee("Booked Zoë Ärzteweg with Dr Amara Okafor, Wed 11 Mar 14:15.", "Wed 11 Mar 2026", ">14:15 Zoë Ärzteweg")
	a := h.b.appts[len(h.b.appts)-1]
	if a.PatientID != fakeID(1) || a.Doctor != "okafor" || !a.Start.Equal(at(11, 14, 15)) || a.Minutes != 15 || a.Room != "1" {
		t.Fatalf("booked %+v", a)
	}
}

// TestBookTakeNextOneKey takes the offered slot straight from the form.
func TestBookTakeNextOneKey(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("josé")
	h.keys("enter b")
	h.typ("9:40") // Dr Lindqvist sees Anna Schmid until 10:00
	h.mustSee("Clash: Dr Sören Lindqvist is already booked then.", "Next free: Tue 10 Mar 10:00. ctrl+t takes it.")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlT})
	h.mustSee("Booked José Núñez with Dr Sören Lindqvist, Tue 10 Mar 10:00.")
}

func TestBookFromPatientFreeSlot(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("mary")
	h.keys("enter b")
	h.keys("shift+tab right right") // Dr Tanaka, 30 minutes, room 3
	h.keys("tab")
	h.typ("thu 9:00")
	h.mustSee("Free: Thu 12 Mar 09:00 to 09:30.")
	h.keys("tab tab tab")
	h.typ("follow-up")
	h.keys("enter")
	h.mustSee("Booked Mary O'Brien with Dr Yuki Tanaka, Thu 12 Mar 09:00.")
	a := h.b.appts[len(h.b.appts)-1]
	if a.Doctor != "tanaka" || a.Minutes != 30 || a.Room != "3" || a.Reason != "follow-up" {
		t.Fatalf("booked %+v", a)
	}
}

func TestBookRefusesPastAndNonsense(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("mary")
	h.keys("enter b")
	h.typ("8:00")
	h.keys("enter")
	h.mustSee("That time is in the past.")
	h.keys("ctrl+u")
	h.typ("soon")
	h.mustSee("Type a time like 9:30")
	h.keys("enter")
	h.mustSee("Type a time like 9:30")
}

func TestCheckIn(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l") // Dr Okafor: José (checked in) is under the cursor
	h.mustSee("> 09:00  José Núñez")
	h.keys("c")
	h.mustSee("Appointment cannot go from checked in to checked in.")
	h.keys("j c")
	h.mustSee("Checked in Anna Schmidt (09:15).", "> 09:15  Anna Schmidt", "Waiting room (3)")
	if got := h.b.appt(t, fakeID(203)); got.Status != core.ApptCheckedIn || !got.CheckedInAt.Equal(at(10, 9, 12)) {
		t.Fatalf("appointment is %+v", got)
	}
	h.b.clock.Advance(7 * time.Minute)
	h.mustSee("Anna Schmidt", "7 min")
	h.keys("s")
	h.mustSee("Started Anna Schmidt (09:15).", "in progress")
	h.keys("d")
	h.mustSee("Completed Anna Schmidt (09:15).")
}

func TestCancelWithReason(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l j j") // Dr Okafor, 10:00 Mary O'Brien
	h.mustSee("> 10:00  Mary O'Brien")
	h.keys("C")
	h.mustSee("Cancel 10:00 Mary O'Brien, reason:")
	h.keys("enter")
	h.mustSee("Type a reason, or esc")
	h.typ("called: has the flu")
	h.keys("enter")
	h.mustSee("Cancelled Mary O'Brien (10:00).", "cancelled")
	got := h.b.appt(t, fakeID(204))
	if got.Status != core.ApptCancelled || got.StatusReason != "called: has the flu" {
		t.Fatalf("appointment is %+v", got)
	}
	h.keys("C")
	h.mustSee("Appointment cannot go from cancelled to cancelled.")
}

func TestCancelPromptEscKeeps(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l j j C")
	h.typ("x")
	h.keys("esc")
	h.mustNotSee("reason:")
	if got := h.b.appt(t, fakeID(204)); got.Status != core.ApptBooked {
		t.Fatalf("appointment is %+v", got)
	}
}

func TestMoveAppointment(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l j j m") // move Mary's 10:00
	h.mustSee("Move appointment", "Now", "Tue 10 Mar 10:00, 15 min")
	h.typ("10:30")
	h.keys("enter")
	h.mustSee("Moved Mary O'Brien with Dr Amara Okafor, Tue 10 Mar 10:30.", "> 10:30  Mary O'Brien")
	if got := h.b.appt(t, fakeID(204)); !got.Start.Equal(at(10, 10, 30)) {
		t.Fatalf("appointment is %+v", got)
	}
}

func TestResolveConflictKeepLeft(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.mustSee("[1 conflict]")
	h.keys("!")
	h.mustSee("Open conflicts (1)", "Anna Schmidt", "José Núñez", "by ben")
	h.keys("1")
	h.mustSee("Kept Anna Schmidt at 11:00; cancelled José Núñez's 11:00.", "Open conflicts (0)", "no conflicts")
	if got := h.b.appt(t, fakeID(209)); got.Status != core.ApptCancelled {
		t.Fatalf("other side is %+v", got)
	}
	if got := h.b.appt(t, fakeID(208)); got.Status != core.ApptBooked {
		t.Fatalf("kept side is %+v", got)
	}
}

func TestResolveConflictMoveOther(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("! l m") // keep the right side, move the left
	h.mustSee("Kept José Núñez at 11:00; moved Anna Schmidt's 11:00 to Tue 10 Mar 11:20.")
	if got := h.b.appt(t, fakeID(208)); got.Status != core.ApptBooked || !got.Start.Equal(at(10, 11, 20)) {
		t.Fatalf("moved side is %+v", got)
	}
}

func TestLockAndUnlock(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("Zoë Ärzteweg", "+49 30 1234567")
	h.keys("ctrl+l")
	h.mustSee("Screen locked", "ana, type your passphrase")
	h.mustNotSee("Zoë", "+49", "1990")
	h.keys("esc b /") // nothing reaches the screens behind the lock
	h.mustSee("Screen locked")
	h.keys("ctrl+u")
	h.typ("nope")
	h.keys("enter")
	h.mustSee("Wrong user or passphrase.")
	h.mustNotSee("Zoë")
	h.typ("demo")
	h.keys("enter")
	h.mustSee("Patient", "Zoë Ärzteweg", "+49 30 1234567")
	h.keys("esc")
	h.mustSee("Find a patient", "Zoë Ärzteweg")
}

func TestIdleLock(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.b.clock.Advance(4 * time.Minute)
	h.send(tickMsg{})
	h.mustSee("Waiting room")
	h.keys("j") // a key resets the idle time
	h.b.clock.Advance(4 * time.Minute)
	h.send(tickMsg{})
	h.mustSee("Waiting room")
	h.b.clock.Advance(time.Minute)
	h.send(tickMsg{})
	h.mustSee("Screen locked")
	h.mustNotSee("王小明", "Waiting room")
	h.typ("demo")
	h.keys("enter")
	h.mustSee("Waiting room", "王小明")
}

func TestReceptionDeniedChart(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustNotSee("v chart")
	h.keys("v")
	h.mustSee("Reception may not read note records: clinical records are for clinicians only.")
	h.mustNotSee("Cough", "core:", "store:")
	if _, ok := h.front().(*patient.Record); !ok {
		t.Fatalf("front screen is %T", h.front())
	}
}

func TestDoctorOpensChart(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("okafor")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("v chart")
	h.keys("v")
	h.mustSee("Chart", "[1 Summary]", "!! ALLERGIES NOT ASKED")
	h.keys("2")
	h.mustSee("Chart", "Mon 2 Mar 10:05  Dr Amara Okafor", "S: Cough for two weeks, no fever.", "P: Honey and rest")
	h.keys("esc")
	h.mustSee("Patient")
}

func TestHelpToggles(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.mustNotSee("day before")
	h.keys("?")
	h.mustSee("day before", "no-show", "ctrl+l lock")
	h.keys("?")
	h.mustNotSee("day before")
	h.keys("/")
	h.typ("?") // typed into the search, not help
	h.mustNotSee("day before")
	h.keys("f1")
	h.mustSee("list/query")
}

func TestDaysAndWeek(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("] ] ]")
	h.mustSee("Fri 13 Mar 2026", "not working") // Dr Lindqvist works Monday to Thursday
	h.keys("[ [")
	h.mustSee("Wed 11 Mar 2026", "no appointments")
	h.keys("l")
	h.mustSee("14:00  Anna Schmidt")
	h.keys("t w")
	h.mustSee("Week of Mon 9 Mar 2026", "Dr Amara Okafor", "Wed 11 Mar", "14:00 Anna Schmidt")
	h.keys("j enter")
	h.mustSee("Wed 11 Mar 2026", "> 14:00  Anna Schmidt")
}

func TestQuitFromAnywhere(t *testing.T) {
	for _, keys := range []string{"", "/", "n", "! ", "ctrl+l"} {
		h := newHarness(t, 80, 24)
		if keys != "" {
			h.login("ana")
			h.keys(keys)
		}
		h.send(tea.KeyMsg{Type: tea.KeyCtrlC})
		if !h.quit {
			t.Fatalf("ctrl+c after %q did not quit", keys)
		}
	}
}

func TestStatusBarNeverClaimsSynced(t *testing.T) {
	pull := at(10, 8, 55)
	tests := []struct {
		status      SyncStatus
		want, never string
	}{
		{SyncStatus{Online: true, Pending: 0, LastPull: pull}, "online | synced | last sync 08:55", "pending"},
		{SyncStatus{Online: true, Pending: 2, LastPull: pull}, "online | 2 pending | last sync 08:55", "synced"},
		{SyncStatus{Online: false, Pending: 0, LastPull: pull}, "offline | 0 pending", "synced"},
		{SyncStatus{Online: true, Pending: 0}, "online | 0 pending | last sync never", "synced"},
		{SyncStatus{Online: true, LastPull: at(9, 17, 30)}, "synced | last sync 9 Mar 17:30", "never"},
		{SyncStatus{Conflicts: 3}, "[3 conflicts]", "no conflicts"},
	}
	for _, tt := range tests {
		h := newHarness(t, 120, 40)
		h.login("ana")
		h.send(syncStatusMsg{status: tt.status})
		bar := h.m.statusBar()
		if !strings.Contains(bar, tt.want) || strings.Contains(bar, tt.never) {
			t.Errorf("status %+v: bar %q, want %q and not %q", tt.status, bar, tt.want, tt.never)
		}
	}
}

func TestResizeKeepsLayout(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.login("ana")
	for _, sz := range [][2]int{{80, 24}, {60, 20}, {200, 50}, {40, 12}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkSize(t, h.view(), sz[0], sz[1])
	}
}

// TestTypeAhead types "/zoe" without waiting for any Cmd: navigation is
// synchronous, so no letter is lost to the schedule.
func TestTypeAhead(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	var cmds []any
	for _, k := range append([]tea.Msg{press("/")}, typeText("zoe")...) {
		_, cmd := h.m.Update(k)
		cmds = append(cmds, cmd)
	}
	h.send(cmds...)
	h.mustSee("[zoe", "Zoë Ärzteweg", "1 patient")
}

// TestNoColor draws on a colour terminal with NoColor set, as NO_COLOR
// does: no escape sequence anywhere, and the cursor of the focused field,
// which reverse video cannot show, is an underscore.
func TestNoColor(t *testing.T) {
	b := newFakeBackend()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	m := New(b, Options{Now: b.clock.Now, Renderer: r, NoColor: true}).(*model)
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m.c.Tick = m.tick
	h := &harness{t: t, m: m, b: b}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.mustSee("> User          [_user name")
	h.login("ana")
	for _, keys := range []string{"", "l w", "w !", "esc /", "esc n", "esc ?"} {
		h.keys(keys)
		if v := h.view(); strings.Contains(v, "\x1b[") {
			t.Fatalf("escape sequences after %q:\n%q", keys, v)
		}
	}
}

// TestLoadingUntilDoctors keeps the loading screen while the day has
// come and the doctors have not, rather than saying there are none.
func TestLoadingUntilDoctors(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.m.c.Doctors = nil
	h.mustSee("Loading the schedule")
	h.mustNotSee("No doctors yet")
}
