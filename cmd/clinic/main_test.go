package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"medisecure/store"
)

// cli runs commands against one data directory with a fixed clock.
type cli struct {
	t    *testing.T
	dir  string
	vars map[string]string
	now  time.Time
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, dir: t.TempDir(), vars: map[string]string{}, now: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
}

// run executes one command line; it returns stdout, stderr and the code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	e := c.env(&out, &errOut)
	withData := args
	if len(args) > 0 && args[0] != "help" {
		// Flags must come before positional arguments.
		n := subLen(args)
		withData = append(append(append([]string{}, args[:n]...), "--data", c.dir), args[n:]...)
	}
	code := run(context.Background(), withData, e)
	return out.String(), errOut.String(), code
}

// env is the environment c's commands run in, writing to stdout and
// stderr.
func (c *cli) env(stdout, stderr io.Writer) *env {
	return &env{
		stdout: stdout, stderr: stderr,
		getenv: func(k string) string { return c.vars[k] },
		now:    func() time.Time { return c.now },
		opts:   store.Options{KDF: store.KDF{Time: 1, MemKiB: 64, Threads: 1}},
	}
}

// subLen is how many leading words name the command ("appt book" is 2).
func subLen(args []string) int {
	switch args[0] {
	case "user", "patient", "appt", "audit", "store", "doc":
		if len(args) > 1 {
			return 2
		}
	}
	return 1
}

// as sets who is logged in.
func (c *cli) as(user, pass string) {
	c.vars["CLINIC_USER"], c.vars["CLINIC_PASSPHRASE"] = user, pass
}

// must runs a command that must succeed and returns its stdout.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("clinic %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// expect runs a command that must fail with code and a message matching re.
func (c *cli) expect(code int, re string, args ...string) {
	c.t.Helper()
	_, errOut, got := c.run(args...)
	if got != code {
		c.t.Errorf("clinic %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), got, code, errOut)
	}
	if !regexp.MustCompile(re).MatchString(errOut) {
		c.t.Errorf("clinic %s: stderr %q does not match %q", strings.Join(args, " "), errOut, re)
	}
	if strings.Count(strings.TrimSpace(errOut), "\n") > 0 && code != exitUsage {
		c.t.Errorf("clinic %s: error is more than one line: %q", strings.Join(args, " "), errOut)
	}
	if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
		c.t.Errorf("clinic %s: stack trace on stderr", strings.Join(args, " "))
	}
}

// setup makes a store with an admin, a receptionist and a seeded clinic.
func setup(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.as("admin", "admin-pass")
	c.must("init", "--org", "Test Clinic", "--admin", "admin", "--zone", "Europe/Berlin")
	c.vars["CLINIC_NEW_PASSPHRASE"] = "staff-pass"
	c.must("seed", "--patients", "30", "--days", "4", "--seed", "3")
	return c
}

func TestFrontDeskFlow(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	id := strings.TrimSpace(c.must("patient", "add", "--name", "Zoë Łukasiewicz", "--dob", "1984-03-27", "--phone", "+48 601 555 013"))
	if len(id) != 24 {
		t.Fatalf("patient add printed %q, want an id", id)
	}
	if out := c.must("patient", "find", "lukas"); !strings.Contains(out, "Zoë Łukasiewicz") || !strings.Contains(out, id) {
		t.Errorf("find: %q", out)
	}
	if out := c.must("patient", "find", "--json", "1984-03-27"); !strings.Contains(out, `"name": "Zoë Łukasiewicz"`) {
		t.Errorf("find --json: %q", out)
	}
	// Monday 30 Nov 2026, far enough ahead that the seed left it alone.
	appt := strings.TrimSpace(c.must("appt", "book", "--patient", id, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30", "--minutes", "15"))
	other := strings.TrimSpace(c.must("patient", "add", "--name", "Ann Smith", "--dob", "1990-01-02"))
	c.expect(exitValidation, `doctor is already booked .*next free slot: Mon 7 Dec 2026 09:45`,
		"appt", "book", "--patient", other, "--doctor", "dr.okafor", "--at", "2026-12-07 09:30", "--minutes", "15")
	if out := c.must("appt", "list", "--date", "2026-12-07", "--doctor", "dr.okafor"); !strings.Contains(out, "Zoë Łukasiewicz") || !strings.Contains(out, "booked") {
		t.Errorf("list: %q", out)
	}
	c.now = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC) // the visit's day: check-in is allowed
	c.must("appt", "status", appt, "checked_in")
	c.expect(exitValidation, `cannot go from checked in to cancelled`, "appt", "cancel", appt)
	second := strings.TrimSpace(c.must("appt", "book", "--patient", other, "--doctor", "dr.okafor", "--at", "2026-12-07 10:00", "--minutes", "15"))
	if out := c.must("appt", "cancel", "--reason", "patient called", second); !strings.Contains(out, "cancelled") {
		t.Errorf("cancel: %q", out)
	}
	c.as("admin", "admin-pass")
	if out := c.must("audit", "verify"); !strings.Contains(out, "access log intact") {
		t.Errorf("audit verify: %q", out)
	}
	if out := c.must("audit", "list", "--patient", id); !strings.Contains(out, "desk") {
		t.Errorf("audit list: %q", out)
	}
}

func TestBadInput(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	cases := []struct {
		name string
		code int
		re   string
		args []string
	}{
		{"unknown command", exitUsage, `unknown command`, []string{"frobnicate"}},
		{"missing flags", exitUsage, `needs --patient`, []string{"appt", "book"}},
		{"bad id", exitUsage, `malformed id`, []string{"appt", "book", "--patient", "nope", "--doctor", "dr.okafor", "--at", "2026-12-07 09:30"}},
		{"bad time", exitUsage, `not a time`, []string{"appt", "book", "--patient", "0123456789abcdef01234567", "--doctor", "dr.okafor", "--at", "tuesday-ish"}},
		{"unknown patient", exitValidation, `not a registered patient`, []string{"appt", "book", "--patient", "0123456789abcdef01234567", "--doctor", "dr.okafor", "--at", "2026-12-07 09:30"}},
		{"invalid patient", exitValidation, `date of birth must be a date`, []string{"patient", "add", "--name", "X Y", "--dob", "31/02/1990"}},
		{"bad status", exitUsage, `status must be one of`, []string{"appt", "status", "0123456789abcdef01234567", "teleported"}},
		{"reception adds a user", exitAuth, `reception may not create user`, []string{"user", "add", "--role", "admin", "mallory"}},
		{"reception exports", exitAuth, `may not`, []string{"export"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { c.expect(tc.code, tc.re, tc.args...) })
	}
}

func TestWrongPassphraseWritesNothingAndLocks(t *testing.T) {
	c := setup(t)
	path := filepath.Join(c.dir, "clinic.db")
	c.as("desk", "staff-pass")
	before := c.must("patient", "find", "a")
	c.as("desk", "wrong")
	for i := 0; i < 4; i++ {
		c.expect(exitAuth, `^clinic: wrong user or passphrase for desk\n$`, "patient", "add", "--name", "Eve Intruder", "--dob", "1990-01-01")
	}
	c.expect(exitAuth, `too many failed logins`, "patient", "find", "a")
	c.as("desk", "staff-pass")
	c.expect(exitAuth, `too many failed logins`, "patient", "find", "a")
	c.now = c.now.Add(time.Hour)
	if after := c.must("patient", "find", "a"); after != before {
		t.Errorf("a failed login changed the data:\n%s\n%s", before, after)
	}
	c.as("nobody", "x")
	c.expect(exitAuth, `^clinic: wrong user or passphrase for nobody\n$`, "patient", "find", "a")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Intruder")) {
		t.Error("a refused command wrote the patient")
	}
}

func TestStoreProblems(t *testing.T) {
	c := newCLI(t)
	c.as("admin", "admin-pass")
	c.expect(exitStore, `no store at .*clinic init`, "patient", "find", "x")
	must(t, os.WriteFile(filepath.Join(c.dir, "clinic.db"), bytes.Repeat([]byte("garbage!"), 1000), 0o600))
	c.expect(exitStore, `not a clinic store: .*clinic.db`, "patient", "find", "x")
	c.expect(exitStore, `already exists`, "init", "--org", "X", "--admin", "admin")

	c = setup(t)
	path := filepath.Join(c.dir, "clinic.db")
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 99})
	}))
	must(t, db.Close())
	c.expect(exitStore, `newer version`, "patient", "find", "x")
}

func TestTamperedAuditLogFailsVerify(t *testing.T) {
	c := setup(t)
	c.as("desk", "staff-pass")
	c.must("patient", "find", "a")
	c.must("patient", "find", "b")
	path := filepath.Join(c.dir, "clinic.db")
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k, v := b.Cursor().First()
		v = append([]byte{}, v...)
		v[len(v)-1] ^= 1
		return b.Put(k, v)
	}))
	must(t, db.Close())
	c.as("admin", "admin-pass")
	c.expect(exitStore, `access log entry 1: it was edited or moved`, "audit", "verify")
}

func TestHelp(t *testing.T) {
	c := newCLI(t)
	out, _, code := c.run("help")
	if code != 0 || !strings.Contains(out, "Exit codes") {
		t.Errorf("help: %d %q", code, out)
	}
	for _, cmd := range []string{"init", "seed", "export"} {
		out, _, code := c.run(cmd, "--help")
		if code != 0 || !strings.Contains(out, "usage: clinic "+cmd) {
			t.Errorf("%s --help: %d %q", cmd, code, out)
		}
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	exports := make([]string, 2)
	for i := range exports {
		c := setup(t)
		c.as("admin", "admin-pass")
		exports[i] = c.must("export")
	}
	for _, kind := range []string{`"kind":"patient"`, `"kind":"appointment"`, `"kind":"note"`, `"kind":"invoice"`, `"kind":"payment"`, `"kind":"vital"`, `"kind":"message"`} {
		if !strings.Contains(exports[0], kind) {
			t.Errorf("seed wrote no %s", kind)
		}
	}
	// Messages are sealed per recipient with fresh randomness, so their
	// ciphertext differs between runs by design; all else is identical.
	for i, e := range exports {
		var kept []string
		for _, line := range strings.Split(e, "\n") {
			if !strings.HasPrefix(line, `{"kind":"message"`) {
				kept = append(kept, line)
			}
		}
		exports[i] = strings.Join(kept, "\n")
	}
	if exports[0] != exports[1] {
		t.Error("two seeds with the same options exported different content")
	}
	if n := strings.Count(exports[0], "\n"); n < 50 {
		t.Errorf("export has only %d records", n)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
