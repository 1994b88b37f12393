package sshhost

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"medisecure/cmd/internal/deskapp"
	"medisecure/core"
	"medisecure/store"
)

// testKDF keeps logins fast.
var testKDF = store.KDF{Time: 1, MemKiB: 64, Threads: 1}

// waitLimit bounds every wait for a screen; it is a deadline for a hung
// test, not a timing assertion.
const waitLimit = 20 * time.Second

// host is a clinic host serving a real store on 127.0.0.1:0.
type host struct {
	t      testing.TB
	dir    string
	db     *store.DB
	srv    *Server
	addr   string
	hostPK gossh.PublicKey
	keys   map[string]gossh.Signer
	logMu  sync.Mutex
	log    bytes.Buffer
	served chan error
}

// clinicNow is the fixed clock of the store and the screens.
var clinicNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// newHost makes a store with an admin, a receptionist (desk) and a doctor
// (drwho), registers a terminal key for each, and serves it.
func newHost(t testing.TB, cfg Config) *host {
	t.Helper()
	h := &host{t: t, dir: t.TempDir(), keys: map[string]gossh.Signer{}, served: make(chan error, 1)}
	path := filepath.Join(h.dir, "clinic.db")
	opts := store.Options{Now: func() time.Time { return clinicNow }, KDF: testKDF}
	must(t, store.Create(path, store.InitOptions{Org: "Test Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: "admin-pass"}, opts))
	db, err := store.Open(path, opts)
	must(t, err)
	h.db = db
	admin, err := db.Login("admin", "admin-pass")
	must(t, err)
	must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, "desk-pass"))
	must(t, admin.AddUser(core.User{Name: "drwho", Role: core.RoleDoctor, DisplayName: "Dr Who"}, "doctor-pass"))
	for _, u := range []string{"admin", "desk", "drwho"} {
		h.keys[u] = newKey(t)
		_, err := admin.AddSSHKey(u, gossh.MarshalAuthorizedKey(h.keys[u].PublicKey()))
		must(t, err)
	}
	hostKey, err := HostKey(filepath.Join(h.dir, "ssh_host_ed25519_key"))
	must(t, err)
	h.hostPK = hostKey.PublicKey()
	cfg.DB, cfg.HostKey = db, hostKey
	if cfg.Backend == nil {
		cfg.Backend = deskapp.Backend{DB: db}
	}
	if cfg.Exec == nil {
		cfg.Exec = func(context.Context, Exec) int {
			t.Error("a terminal session ran a command")
			return 1
		}
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return clinicNow }
	}
	cfg.Logger = slog.New(slog.NewTextHandler(lockedWriter{&h.logMu, &h.log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.srv, err = New(cfg)
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	h.addr = ln.Addr().String()
	go func() { h.served <- h.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := h.srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-h.served; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
	})
	return h
}

// logs is what the server logged so far.
func (h *host) logs() string {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	return h.log.String()
}

// lockedWriter lets the server's goroutines log into one buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	s, err := gossh.NewSignerFromKey(priv)
	must(t, err)
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dial connects with key, checking the host key.
func (h *host) dial(key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", h.addr, &gossh.ClientConfig{
		User:            "anyone",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(h.hostPK),
		Timeout:         waitLimit,
	})
}

// term is one thin terminal: an SSH session with a pty running the UI.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	mu     sync.Mutex
	out    bytes.Buffer
	mark   int
	done   chan error
}

// open starts a terminal session as user (by their key) at 80x24,
// without colour.
func (h *host) open(user string) *term {
	h.t.Helper()
	return h.openWith(user, 80, 24, "NO_COLOR=1")
}

// openWith starts a terminal session as user at width x height with the
// client environment env (NAME=value).
func (h *host) openWith(user string, width, height int, env ...string) *term {
	h.t.Helper()
	c, err := h.dial(h.keys[user])
	must(h.t, err)
	tm := &term{t: h.t, client: c, done: make(chan error, 1)}
	h.t.Cleanup(func() { c.Close() })
	tm.sess, err = c.NewSession()
	must(h.t, err)
	tm.in, err = tm.sess.StdinPipe()
	must(h.t, err)
	tm.sess.Stdout = lockedWriter{&tm.mu, &tm.out}
	tm.sess.Stderr = lockedWriter{&tm.mu, &tm.out}
	for _, v := range env {
		name, value, _ := strings.Cut(v, "=")
		must(h.t, tm.sess.Setenv(name, value))
	}
	must(h.t, tm.sess.RequestPty("xterm-256color", height, width, gossh.TerminalModes{}))
	must(h.t, tm.sess.Shell())
	go func() { tm.done <- tm.sess.Wait() }()
	return tm
}

// screen is everything the terminal received since the last key sent,
// without escape sequences.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.out.String()[tm.mark:])
}

// raw is everything the terminal ever received, escape sequences and
// all.
func (tm *term) raw() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// all is everything the terminal ever received, without escape sequences.
func (tm *term) all() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(tm.out.String())
}

// send types s (raw bytes: "\r" is enter, "\t" tab).
func (tm *term) send(s string) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.mark = tm.out.Len()
	tm.mu.Unlock()
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
}

// see waits until the screen shows every text since the last key.
func (tm *term) see(texts ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		got := tm.screen()
		missing := ""
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
		time.Sleep(10 * time.Millisecond)
	}
}

// login types user and passphrase into the login form.
func (tm *term) login(user, pass string) {
	tm.t.Helper()
	tm.send(user + "\r")
	tm.send(pass + "\r")
}

// exitStatus waits for the session to end and returns its exit status.
func (tm *term) exitStatus() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		var exit *gossh.ExitError
		if errors.As(err, &exit) {
			return exit.ExitStatus()
		}
		if err != nil {
			tm.t.Fatalf("session: %v", err)
		}
		return 0
	case <-time.After(waitLimit):
		tm.t.Fatal("the session never ended")
	}
	return -1
}

// waitLog waits until the server logged text n times.
func (h *host) waitLog(text string, n int) {
	h.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for strings.Count(h.logs(), text) < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("the log never held %q %d times:\n%s", text, n, h.logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
