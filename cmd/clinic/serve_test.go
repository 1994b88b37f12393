package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// clinicHost is clinic serve running in this process on a test store.
type clinicHost struct {
	t      *testing.T
	c      *cli
	addr   string
	hostPK gossh.PublicKey
	keys   map[string]gossh.Signer
	log    *syncBuffer
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// registerKeys gives each user a new terminal key, registered by the admin
// with clinic user key add before the store is served.
func registerKeys(t *testing.T, c *cli, users ...string) map[string]gossh.Signer {
	t.Helper()
	keys := map[string]gossh.Signer{}
	for _, u := range users {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		keys[u] = s
		file := filepath.Join(t.TempDir(), u+".pub")
		if err := os.WriteFile(file, gossh.MarshalAuthorizedKey(s.PublicKey()), 0o600); err != nil {
			t.Fatal(err)
		}
		c.as("admin", "admin-pass")
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"user", "key", "add", "--data", c.dir, u, file}, c.env(&out, &errOut)); code != 0 {
			t.Fatalf("user key add %s: exit %d: %s", u, code, errOut.String())
		}
	}
	return keys
}

// serveStore runs clinic serve on c's store at 127.0.0.1:0 until the test
// ends, unlocked at start by the admin when unlock is set.
func serveStore(t *testing.T, c *cli, unlock bool, users ...string) *clinicHost {
	t.Helper()
	return serveWith(t, c, hostOptions{unlock: unlock}, users...)
}

// hostOptions are how a test serves a store: unlocked at start or not,
// more flags of clinic serve, and the host's clock (nil: c's fixed one).
type hostOptions struct {
	unlock bool
	flags  []string
	now    func() time.Time
}

// serveWith is serveStore with more options.
func serveWith(t *testing.T, c *cli, o hostOptions, users ...string) *clinicHost {
	t.Helper()
	h := &clinicHost{t: t, c: c, keys: registerKeys(t, c, users...), log: &syncBuffer{}}
	args := append([]string{"serve", "--data", c.dir, "--listen", "127.0.0.1:0"}, o.flags...)
	if o.unlock {
		c.as("admin", "admin-pass")
		args = append(args, "--unlock")
	}
	e := c.env(io.Discard, h.log)
	if o.now != nil {
		e.now = o.now
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, e) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("clinic serve exit %d: %s", code, h.log.String())
		}
		if _, err := os.Stat(filepath.Join(c.dir, servingFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after shutdown", servingFile)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(c.dir, servingFile))
		var s serving
		if err == nil && json.Unmarshal(b, &s) == nil {
			h.addr = s.Listen
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("clinic serve never started: %s", h.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	pem, err := os.ReadFile(filepath.Join(c.dir, hostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	h.hostPK = signer.PublicKey()
	return h
}

// exec runs a command over SSH as user's terminal key; with a terminal
// (ssh -t) when pty is set. It returns stdout, stderr and the exit status.
func (h *clinicHost) exec(user string, pty bool, stdin, command string) (string, string, int) {
	h.t.Helper()
	client, err := gossh.Dial("tcp", h.addr, &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(h.keys[user])},
		HostKeyCallback: gossh.FixedHostKey(h.hostPK), Timeout: 20 * time.Second,
	})
	if err != nil {
		h.t.Fatalf("ssh as %s: %v", user, err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		h.t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr, sess.Stdin = &out, &errOut, strings.NewReader(stdin)
	if pty {
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			h.t.Fatal(err)
		}
	}
	err = sess.Run(command)
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), errOut.String(), exit.ExitStatus()
	case err != nil:
		h.t.Fatalf("ssh %s: %v", command, err)
	}
	return out.String(), errOut.String(), 0
}

// crlf undoes the terminal's line endings of a pty session.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func TestExecSameOutputAndExitCodes(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	commands := [][]string{
		{"appt", "list", "--date", "2026-11-26"},
		{"appt", "list", "--date", "2026-11-26", "--json"},
		{"appt", "list", "--date", "26/11/2026"},
		{"patient", "find", "--json", "a"},
		{"audit", "list"},
		{"frobnicate"},
		{"appt", "list", "--bogus"},
	}
	type result struct {
		out  string
		code int
	}
	local := make([]result, len(commands))
	for i, args := range commands {
		var out, errOut bytes.Buffer
		local[i].code = run(context.Background(), append(append([]string{}, args...), "--data", c.dir), c.env(&out, &errOut))
		local[i].out = out.String()
	}
	h := serveStore(t, c, true, "desk")
	for i, args := range commands {
		out, _, code := h.exec("desk", false, "", strings.Join(args, " "))
		if code != local[i].code || out != local[i].out {
			t.Errorf("ssh … %s: exit %d, output\n%s\nwant exit %d, output\n%s", strings.Join(args, " "), code, out, local[i].code, local[i].out)
		}
	}
	if local[0].code != 0 || !strings.Contains(local[0].out, "dr.") || local[4].code != exitAuth || local[5].code != exitUsage {
		t.Fatalf("the local results are not the ones this test means: %+v", local)
	}
}

func TestExecWritesNeedThePassphraseOnATerminal(t *testing.T) {
	c := setup(t)
	h := serveStore(t, c, true, "desk")
	add := `patient add --name "Zoe Adams" --dob 1990-01-02`
	_, errOut, code := h.exec("desk", false, "", add)
	if code != exitAuth || !strings.Contains(errOut, "ssh -t") {
		t.Fatalf("a write without a terminal: exit %d: %s", code, errOut)
	}
	_, errOut, code = h.exec("desk", true, "wrong-pass\r", add)
	if code != exitAuth || !strings.Contains(errOut, "wrong user or passphrase") {
		t.Fatalf("a write with a wrong passphrase: exit %d: %s", code, errOut)
	}
	out, errOut, code := h.exec("desk", true, "staff-pass\r", add)
	if code != 0 || len(strings.TrimSpace(crlf(out))) != 24 {
		t.Fatalf("a write with the passphrase: exit %d: %q %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "passphrase for desk: ") {
		t.Errorf("the passphrase was not asked for: %q", errOut)
	}
	found, _, code := h.exec("desk", false, "", "patient find Zoe")
	if code != 0 || !strings.Contains(found, "Zoe Adams") {
		t.Fatalf("the patient added over SSH: exit %d: %s", code, found)
	}
	if strings.Contains(h.log.String(), "Zoe") {
		t.Fatalf("a patient's name reached the log:\n%s", h.log.String())
	}
}

func TestExecRefusals(t *testing.T) {
	c := setup(t)
	h := serveStore(t, c, true, "desk", "admin")
	for _, tc := range []struct {
		user, command string
		code          int
		says          string
	}{
		{"desk", "init --org X --admin y", exitUsage, "not run over SSH"},
		{"desk", "sync", exitUsage, "not run over SSH"},
		{"desk", "appt list --data /tmp", exitUsage, "--data is not taken over SSH"},
		{"desk", "appt list --user admin", exitAuth, "belongs to desk"},
		{"admin", "user key add desk /etc/hostname", exitUsage, "standard input"},
		{"desk", "", exitUsage, "needs a terminal"},
	} {
		out, errOut, code := h.exec(tc.user, false, "", tc.command)
		if code != tc.code || !strings.Contains(out+errOut, tc.says) {
			t.Errorf("ssh … %s: exit %d: %s%s; want exit %d saying %q", tc.command, code, out, errOut, tc.code, tc.says)
		}
	}
}

func TestExecReadsNeedAnUnlockedStore(t *testing.T) {
	c := setup(t)
	h := serveStore(t, c, false, "desk")
	_, errOut, code := h.exec("desk", false, "", "appt list")
	if code != exitAuth || !strings.Contains(errOut, "--unlock") {
		t.Fatalf("a read before anyone unlocked: exit %d: %s", code, errOut)
	}
}

func TestLocalCommandOnAServedStore(t *testing.T) {
	c := setup(t)
	h := serveStore(t, c, true, "desk")
	c.as("desk", "staff-pass")
	_, errOut, code := c.run("appt", "list")
	port := h.addr[strings.LastIndexByte(h.addr, ':')+1:]
	if code != exitStore || !strings.Contains(errOut, "ssh -p "+port+" USER@localhost") || strings.Contains(errOut, "in use by another process") {
		t.Fatalf("a local command on a served store: exit %d: %s", code, errOut)
	}
	if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("more than one sentence: %q", errOut)
	}
	if out, _, code := h.exec("desk", false, "", "appt list"); code != 0 {
		t.Fatalf("the served store over SSH at the same time: exit %d: %s", code, out)
	}
}
