package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// runes is several letters arriving in one read, as tmux send-keys, a
// paste or fast typing over SSH deliver them.
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestKeysInOneRead: "jj" in one read moves twice (it was ignored), and
// "/zoe" opens the search and types the rest into it.
func TestKeysInOneRead(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("l") // Dr Okafor's list, 08:30 first
	h.send(runes("kkkk"), runes("jj"))
	h.mustSee("> 09:15  Anna Schmidt")
	h.send(runes("/zoe"))
	h.mustSee("Find a patient", "[zoe", "Zoë Ärzteweg", "1 patient")
}

// TestQuitAsksWithUnsavedInput: ctrl+c in a half-filled form asks first;
// any key but y keeps the form.
func TestQuitAsksWithUnsavedInput(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("n")
	h.typ("Half Typed")
	h.keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c quit with a half-filled form")
	}
	h.mustSee("Quit and lose what is typed but not saved? y yes")
	h.keys("n")
	h.mustSee("[Half Typed")
	h.mustNotSee("Quit and lose")
	h.keys("ctrl+c y")
	if !h.quit {
		t.Fatal("y did not quit")
	}
}

// TestSwitchUser: from the lock screen the next person logs in; nothing
// of the previous user's screens, selection or search stays.
func TestSwitchUser(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("zoe")
	h.keys("enter")
	h.mustSee("Zoë Ärzteweg", "+49 30 1234567")
	h.keys("ctrl+l")
	h.mustSee("Screen locked", "ctrl+x switch user")
	h.keys("ctrl+x")
	h.mustSee("Log in", "[_user name")
	h.mustNotSee("Zoë", "+49", "ana (reception) |")
	h.login("okafor")
	h.mustSee("okafor (doctor)", "< Dr Amara Okafor >", "08:30  Zoë Ärzteweg")
	if n := len(h.m.stack); n != 1 {
		t.Fatalf("%d screens after switching user, want the home screen only", n)
	}
	h.keys("esc")
	h.mustNotSee("+49 30 1234567", "Find a patient")
	h.keys("/")
	h.mustNotSee("[zoe")
}

// TestLogout: ctrl+x logs out from any screen.
func TestLogout(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("! ctrl+x")
	h.mustSee("Log in", "not logged in")
	if h.m.sess != nil || h.m.c.Who.User != "" {
		t.Fatalf("still logged in as %+v", h.m.c.Who)
	}
	h.login("ana")
	h.mustSee("Waiting room")
}

// TestQuitAsksInBookingForm: a half-typed booking is unsaved input too.
func TestQuitAsksInBookingForm(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("/")
	h.typ("mary")
	h.keys("enter b")
	h.typ("14:00")
	h.keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c quit with a half-typed booking")
	}
	h.mustSee("Quit and lose what is typed but not saved?")
}

// TestIdleLockClosesTheQuestion: a quit question left open when the
// screen locks does not answer itself with the passphrase's letters.
func TestIdleLockClosesTheQuestion(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.login("ana")
	h.keys("n")
	h.typ("Half")
	h.keys("ctrl+c")
	h.mustSee("Quit and lose")
	h.b.clock.Advance(6 * time.Minute)
	h.send(tickMsg{})
	h.mustSee("Screen locked")
	h.typ("yes")
	if h.quit {
		t.Fatal("typing the passphrase answered the quit question")
	}
	h.mustNotSee("Quit and lose")
}
