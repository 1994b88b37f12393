package sshhost

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

func TestTwoUsersTwoSessionsAtOnce(t *testing.T) {
	h := newHost(t, Config{})
	desk, doc := h.open("desk"), h.open("drwho")
	desk.see("Log in", "This terminal's key belongs to desk")
	doc.see("Log in", "This terminal's key belongs to drwho")
	desk.login("desk", "desk-pass")
	desk.see("desk (reception)")
	doc.login("drwho", "doctor-pass")
	doc.see("drwho (doctor)")
	// The desk opens the registration form; the doctor's screen is not
	// touched by it.
	desk.send("n")
	desk.see("New patient")
	if got := doc.all(); strings.Contains(got, "desk (reception)") || strings.Contains(got, "New patient") {
		t.Fatalf("the doctor's terminal showed the desk's session:\n%s", got)
	}
	if got := desk.all(); strings.Contains(got, "drwho (doctor)") {
		t.Fatalf("the desk's terminal showed the doctor's session:\n%s", got)
	}
	for _, want := range []string{`msg=login addr=127.0.0.1`, `user=desk role=reception`, `user=drwho role=doctor`} {
		if !strings.Contains(h.logs(), want) {
			t.Errorf("the log lacks %q:\n%s", want, h.logs())
		}
	}
}

// TestEachSessionItsOwnRenderer: the colour profile, NO_COLOR and window
// size are each session's own, from its client, and a resize reaches only
// that session.
func TestEachSessionItsOwnRenderer(t *testing.T) {
	h := newHost(t, Config{})
	plain := h.openWith("desk", 80, 24, "NO_COLOR=1")
	colour := h.openWith("drwho", 120, 30, "COLORTERM=truecolor")
	plain.see("Log in")
	colour.see("Log in")
	plain.login("desk", "desk-pass")
	plain.see("desk (reception)")
	colour.login("drwho", "doctor-pass")
	colour.see("drwho (doctor)")
	sgr := regexp.MustCompile(`\x1b\[[0-9;]*(38|48);2;`)
	if raw := plain.raw(); sgr.MatchString(raw) {
		t.Errorf("the NO_COLOR session got colours")
	}
	if raw := colour.raw(); !sgr.MatchString(raw) {
		t.Errorf("the true-colour session got no colours")
	}
	// Each status bar is as wide as its own terminal.
	bar := regexp.MustCompile(`(?m) (desk \(reception\)|drwho \(doctor\)).*no conflicts $`)
	widths := map[*term]int{plain: 80, colour: 120}
	for tm, want := range widths {
		lines := bar.FindAllString(strings.ReplaceAll(tm.all(), "\r", "\n"), -1)
		if len(lines) == 0 || ansi.StringWidth(lines[len(lines)-1]) != want {
			t.Errorf("status bars %q, want %d columns", lines, want)
		}
	}
	colour.send("")
	must(t, colour.sess.WindowChange(40, 100))
	colour.see("drwho (doctor)")
	lines := bar.FindAllString(strings.ReplaceAll(colour.screen(), "\r", "\n"), -1)
	if len(lines) == 0 || ansi.StringWidth(lines[len(lines)-1]) != 100 {
		t.Errorf("after the resize the status bars are %q, want 100 columns", lines)
	}
}

func TestUnknownKeyRefusedBeforeAnyScreen(t *testing.T) {
	h := newHost(t, Config{})
	c, err := h.dial(newKey(t))
	if err == nil {
		c.Close()
		t.Fatal("an unregistered key got in")
	}
	if !strings.Contains(h.logs(), `msg="ssh key refused"`) {
		t.Errorf("the refusal was not logged:\n%s", h.logs())
	}
}

func TestRemovedKeyRefused(t *testing.T) {
	h := newHost(t, Config{})
	admin, err := h.db.Login("admin", "admin-pass")
	must(t, err)
	if _, err := admin.RemoveSSHKey("desk"); err != nil {
		t.Fatal(err)
	}
	if c, err := h.dial(h.keys["desk"]); err == nil {
		c.Close()
		t.Fatal("a removed key got in")
	}
}

func TestOnlyTheKeysUserLogsIn(t *testing.T) {
	h := newHost(t, Config{})
	tm := h.open("desk")
	tm.see("Log in")
	tm.login("drwho", "doctor-pass")
	tm.see("Wrong user or passphrase.")
	if strings.Contains(tm.all(), "drwho (doctor)") {
		t.Fatal("the desk's terminal logged the doctor in")
	}
}

func TestWrongPassphraseLocksOutAfterFive(t *testing.T) {
	h := newHost(t, Config{})
	tm := h.open("drwho")
	tm.see("Log in")
	tm.send("drwho\r")
	// The screen repaints only what changed, so each refusal is awaited
	// in the server's log.
	tm.send("wrong-guess\r")
	tm.see("Wrong user or passphrase.")
	for i := 2; i < 5; i++ {
		tm.send("wrong-guess\r")
		h.waitLog(`msg="login failed"`, i)
	}
	tm.send("wrong-guess\r")
	tm.see("Too many failed logins")
	// Locked: even the right passphrase is refused now.
	tm.send("doctor-pass\r")
	h.waitLog(`msg="login locked out"`, 2)
	if strings.Contains(tm.all(), "drwho (doctor)") {
		t.Fatal("a locked-out user got in")
	}
}

func TestDroppedSessionLosesNothingSaved(t *testing.T) {
	h := newHost(t, Config{})
	tm := h.open("desk")
	tm.see("Log in")
	tm.login("desk", "desk-pass")
	tm.see("desk (reception)")
	tm.send("n")
	tm.see("New patient")
	tm.send("Zoe Adams")
	tm.send("\t")
	tm.send("1990-01-02")
	tm.send("\r")
	tm.see("Registered Zoe Adams.")
	// A second form half typed, then the line drops.
	tm.send("\x1b")
	tm.see("Waiting room")
	tm.send("n")
	tm.see("New patient")
	tm.send("Half Typed")
	tm.see("Half Typed")
	tm.client.Close()

	again := h.open("desk")
	again.see("Log in")
	again.login("desk", "desk-pass")
	again.see("desk (reception)")
	s, err := h.db.Login("desk", "desk-pass")
	must(t, err)
	found, err := s.FindPatients("Zoe", 10)
	must(t, err)
	if len(found) != 1 || found[0].Name != "Zoe Adams" {
		t.Fatalf("after the drop the store holds %+v", found)
	}
	if half, _ := s.FindPatients("Half", 10); len(half) != 0 {
		t.Fatalf("a form never saved was written: %+v", half)
	}
	if strings.Contains(h.logs(), "Zoe") {
		t.Fatalf("a patient's name reached the log:\n%s", h.logs())
	}
}

func TestSessionLimits(t *testing.T) {
	h := newHost(t, Config{MaxPerUser: 1, MaxSessions: 2})
	first := h.open("desk")
	first.see("Log in")
	second := h.open("desk")
	second.see("too many sessions")
	if code := second.exitStatus(); code != 1 {
		t.Errorf("refused session exit %d, want 1", code)
	}
	other := h.open("drwho")
	other.see("Log in")
	third := h.open("admin")
	third.see("too many sessions")
}

func TestHostKeyMadeOnceAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssh_host_ed25519_key")
	first, err := HostKey(path)
	must(t, err)
	st, err := os.Stat(path)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, want 0600", st.Mode().Perm())
	}
	second, err := HostKey(path)
	must(t, err)
	if gossh.FingerprintSHA256(first.PublicKey()) != gossh.FingerprintSHA256(second.PublicKey()) {
		t.Fatal("a second start made a new host key")
	}
	must(t, os.Chmod(path, 0o644))
	if _, err := HostKey(path); err == nil {
		t.Fatal("a host key others may read was used")
	}
}

func TestShutdownTellsSessions(t *testing.T) {
	h := newHost(t, Config{})
	if _, err := os.Stat("id_ed25519"); err == nil {
		os.Remove("id_ed25519")
		os.Remove("id_ed25519.pub")
		t.Fatal("the server wrote a key to id_ed25519 in the working directory")
	}
	tm := h.open("desk")
	tm.see("Log in")
	tm.login("desk", "desk-pass")
	tm.see("desk (reception)")
	n := h.srv.open.endAll()
	if n != 1 {
		t.Fatalf("ended %d sessions, want 1", n)
	}
	tm.see("The clinic host is shutting down.")
	if code := tm.exitStatus(); code != 0 {
		t.Errorf("exit %d after shutdown, want 0", code)
	}
}

func TestCommandNameKeepsNoArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"appt", "list", "--date", "today"}, "appt list"},
		{[]string{"patient", "find", "Zoe"}, "patient find"},
		{[]string{"export"}, "export"},
		{[]string{"export", "Zoe"}, "export"},
		{nil, ""},
	} {
		if got := commandName(tc.args); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestReadSecret(t *testing.T) {
	got, err := readSecret(strings.NewReader("pas\x7fss\r"))
	if err != nil || got != "pass" {
		t.Fatalf("readSecret = %q, %v", got, err)
	}
	if _, err := readSecret(strings.NewReader("abc\x03")); err == nil {
		t.Fatal("ctrl+c gave a passphrase")
	}
}

// TestIdleLockIsEachSessionsOwn: the idle lock counts each session's own
// keys. Three minutes in, only the doctor types; at six minutes the desk's
// screen locks and the doctor's does not. Nothing typed reaches the log.
func TestIdleLockIsEachSessionsOwn(t *testing.T) {
	var (
		mu  sync.Mutex
		now = clinicNow
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := newHost(t, Config{IdleLock: 5 * time.Minute, Now: clock})
	desk, doc := h.open("desk"), h.open("drwho")
	desk.see("Log in")
	desk.login("desk", "desk-pass")
	desk.see("desk (reception)")
	doc.see("Log in")
	doc.login("drwho", "doctor-pass")
	doc.see("drwho (doctor)")
	advance(3 * time.Minute)
	doc.send("]")
	doc.see("Fri 27 Nov")
	advance(3 * time.Minute)
	desk.send("")
	desk.see("Locked")
	doc.send("[")
	doc.see("Thu 26 Nov")
	if strings.Contains(doc.all(), "Locked") {
		t.Fatal("the doctor's screen locked with the desk's")
	}
	for _, secret := range []string{"desk-pass", "doctor-pass"} {
		if strings.Contains(h.logs(), secret) {
			t.Fatalf("a passphrase reached the log:\n%s", h.logs())
		}
	}
}
