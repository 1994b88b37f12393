package main

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// termWait bounds every wait for a screen; it is a deadline for a hung
// test, not a timing assertion.
const termWait = 30 * time.Second

// sshTerm is one thin terminal on a clinic host: an SSH session with a
// pty running the terminal UI.
type sshTerm struct {
	t      *testing.T
	client *gossh.Client
	in     io.Writer
	out    *syncBuffer
	mark   int
	done   chan error
}

// terminal opens the terminal UI as user's key at 100x30 (as ssh -p PORT
// user@host does), without colour.
func (h *clinicHost) terminal(user string) *sshTerm {
	h.t.Helper()
	client, err := gossh.Dial("tcp", h.addr, &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(h.keys[user])},
		HostKeyCallback: gossh.FixedHostKey(h.hostPK), Timeout: termWait,
	})
	if err != nil {
		h.t.Fatalf("ssh as %s: %v", user, err)
	}
	h.t.Cleanup(func() { client.Close() })
	tm := &sshTerm{t: h.t, client: client, out: &syncBuffer{}, done: make(chan error, 1)}
	sess, err := client.NewSession()
	must(h.t, err)
	tm.in, err = sess.StdinPipe()
	must(h.t, err)
	sess.Stdout, sess.Stderr = tm.out, tm.out
	must(h.t, sess.Setenv("NO_COLOR", "1"))
	must(h.t, sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}))
	must(h.t, sess.Shell())
	go func() { tm.done <- sess.Wait() }()
	return tm
}

// send types s ("\r" is enter); what the screen showed before is no
// longer looked at.
func (tm *sshTerm) send(s string) {
	tm.t.Helper()
	tm.mark = len(tm.out.String())
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Fatalf("typing: %v", err)
	}
}

// screen is what the terminal received since the last key, without
// escape sequences.
func (tm *sshTerm) screen() string { return ansi.Strip(tm.out.String()[tm.mark:]) }

// see waits until the screen shows every text since the last key.
func (tm *sshTerm) see(texts ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(termWait)
	for {
		got, missing := tm.screen(), ""
		for _, s := range texts {
			if !strings.Contains(got, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal never showed %q; it shows:\n%s", missing, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle waits until the last match of re since the last key begins
// with prefix, and returns it.
func (tm *sshTerm) settle(re *regexp.Regexp, prefix string) string {
	tm.t.Helper()
	deadline := time.Now().Add(termWait)
	for {
		all := re.FindAllString(tm.screen(), -1)
		if len(all) > 0 && strings.HasPrefix(all[len(all)-1], prefix) {
			return all[len(all)-1]
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal's last %s never began with %q: %q", re, prefix, all)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// login types user and passphrase into the login form and waits for the
// status bar to name them.
func (tm *sshTerm) login(user, pass, role string) {
	tm.t.Helper()
	tm.see("Log in")
	tm.send(user + "\r")
	tm.send(pass + "\r")
	tm.see(user + " (" + role + ")")
}

// ended waits for the session to end.
func (tm *sshTerm) ended() {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(termWait):
		tm.t.Fatal("the session never ended")
	}
}
