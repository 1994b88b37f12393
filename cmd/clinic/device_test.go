package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"medisecure/store"
	"medisecure/sync/envelope"
	"medisecure/sync/invite"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// inviteServer is a sync server in this process on 127.0.0.1:0 whose
// clock the test moves, with its backend at hand to read what it stored.
type inviteServer struct {
	addr  string
	store *boltstore.Store
	mu    sync.Mutex
	now   time.Time
}

func startInviteServer(t *testing.T, now time.Time) *inviteServer {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	s := &inviteServer{store: st, now: now}
	srv, err := server.New(server.Config{
		Backend: st, RegisterToken: syncToken, Now: s.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ShutdownGrace: time.Second,
	})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	s.addr = lis.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, lis)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return s
}

func (s *inviteServer) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *inviteServer) advance(d time.Duration) {
	s.mu.Lock()
	s.now = s.now.Add(d)
	s.mu.Unlock()
}

// batches returns the sealed batches the server stored for org, in order.
func (s *inviteServer) batches(t *testing.T, org string) []*envelope.Batch {
	t.Helper()
	stored, err := s.store.Range(context.Background(), org, 0, 1<<20)
	must(t, err)
	out := make([]*envelope.Batch, len(stored))
	for i, st := range stored {
		out[i], err = envelope.Unmarshal(st.Envelope)
		must(t, err)
	}
	return out
}

// invitation is what clinic invite --json prints.
type invitation struct {
	Code    string    `json:"code"`
	Server  string    `json:"server"`
	Device  string    `json:"device"`
	For     string    `json:"for"`
	Expires time.Time `json:"expires"`
}

// inviteJSON runs clinic invite --json as c's admin.
func inviteJSON(t *testing.T, c *cli, args ...string) invitation {
	t.Helper()
	var inv invitation
	out := c.must(append([]string{"invite", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("invite --json printed %q: %v", out, err)
	}
	return inv
}

// registeredClinic is a seeded first workstation that registered the
// organisation with a server, logged in as its admin.
func registeredClinic(t *testing.T) (*cli, *inviteServer) {
	t.Helper()
	a := setup(t)
	srv := startInviteServer(t, a.now)
	a.as("admin", "admin-pass")
	syncOut(t, a, "--server", srv.addr, "--token", syncToken)
	return a, srv
}

// joined is a new workstation that joined a's organisation with a fresh
// code, logged in as user.
func joined(t *testing.T, a *cli, user string) (*cli, invitation) {
	t.Helper()
	inv := inviteJSON(t, a, "--for", user)
	b := newCLI(t)
	b.as(user, "staff-pass")
	out := b.must("join", inv.Code)
	if !strings.Contains(out, "joined Test Clinic as device "+inv.Device) {
		t.Fatalf("join printed %q", out)
	}
	return b, inv
}

// orgOf reads the organisation and device of c's store.
func orgOf(t *testing.T, c *cli) (store.Org, string) {
	t.Helper()
	db, err := store.Open(filepath.Join(c.dir, "clinic.db"), store.Options{})
	must(t, err)
	defer db.Close()
	return db.Org(), db.DeviceID()
}

// noStore fails the test when c's data directory holds a store.
func noStore(t *testing.T, c *cli) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(c.dir, "clinic.db")); err == nil {
		t.Error("a refused join wrote a store")
	}
}

// An admin invites, a new machine joins with the code: it logs in as the
// invited user, belongs to the same organisation, syncs without naming the
// server, and shows in the device list; a user added elsewhere later can
// log in on it after a sync. The code works once.
func TestInviteAndJoin(t *testing.T) {
	a, srv := registeredClinic(t)
	out := a.must("invite", "--for", "desk")
	for _, want := range []string{"Join code for a new workstation of Test Clinic", "clinic join CODE --data DIR --user desk", "clinic device revoke "} {
		if !strings.Contains(out, want) {
			t.Errorf("invite printed %q, without %q", out, want)
		}
	}
	b, inv := joined(t, a, "desk")
	if inv.Server != srv.addr || inv.For != "desk" || !inv.Expires.Equal(a.now.Add(24*time.Hour)) {
		t.Errorf("invite --json: %+v", inv)
	}
	orgA, devA := orgOf(t, a)
	orgB, devB := orgOf(t, b)
	if orgB.ID != orgA.ID || orgB.Name != "Test Clinic" || devB != inv.Device || devB == devA {
		t.Fatalf("joined store: org %+v device %s; first workstation: org %+v device %s", orgB, devB, orgA, devA)
	}
	if out := b.must("sync", "status"); !strings.Contains(out, srv.addr) {
		t.Errorf("the joined workstation does not remember the server:\n%s", out)
	}
	if got := syncOut(t, b); got[1] == "0" {
		t.Fatal("the joined workstation pulled nothing")
	}
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("exports differ after the joined workstation's first sync")
	}

	var list struct {
		Epoch    int         `json:"epoch"`
		MinEpoch uint32      `json:"min_epoch"`
		Devices  []deviceRow `json:"devices"`
	}
	must(t, json.Unmarshal([]byte(a.must("device", "list", "--json")), &list))
	seen := map[string]deviceRow{}
	for _, d := range list.Devices {
		seen[d.ID] = d
	}
	// Three: the code printed first made a device too, never used.
	if len(list.Devices) != 3 || !seen[devA].This || seen[devB].This || seen[devB].SignedBy != "root" || seen[devB].Revoked || list.MinEpoch != 1 {
		t.Fatalf("device list --json: %+v", list)
	}
	if out := a.must("device", "list"); !strings.Contains(out, devB) || !strings.Contains(out, "active") || !strings.Contains(out, "key epoch 1 here") {
		t.Errorf("device list:\n%s", out)
	}

	// A user added on the first workstation logs in on the joined one
	// once both have synced.
	a.vars["CLINIC_NEW_PASSPHRASE"] = "late-pass-1"
	a.must("user", "add", "--role", "reception", "late")
	syncOut(t, a)
	syncOut(t, b)
	b.as("late", "late-pass-1")
	if out := b.must("patient", "find", "a"); out == "" {
		t.Error("the user added elsewhere finds nothing")
	}

	again := newCLI(t)
	again.as("desk", "staff-pass")
	again.expect(exitValidation, `^clinic: this join code was used already or has expired \(the sync server at \S+ has no invitation for it\); ask an admin for a new one`, "join", inv.Code)
	noStore(t, again)
}

func TestJoinRefuses(t *testing.T) {
	a, srv := registeredClinic(t)

	t.Run("a typo", func(t *testing.T) {
		code := inviteJSON(t, a).Code
		i := strings.IndexFunc(code[5:], func(r rune) bool { return r != 'Z' }) + 5
		typo := code[:i] + "Z" + code[i+1:]
		b := newCLI(t)
		b.as("desk", "staff-pass")
		b.expect(exitValidation, `^clinic: not a valid join code: it does not check out, so a character is mistyped, missing or one too many; compare it group by group`, "join", typo)
		b.expect(exitValidation, `character 1 is 'U'`, "join", "U"+code[1:])
		b.expect(exitValidation, `missing`, "join", code[:len(code)-1])
		b.expect(exitValidation, `missing`, "join", code[:len(code)-2])
		noStore(t, b)
		// Typed in groups with spaces and in lower case, it still works.
		b.must(append([]string{"join"}, strings.Split(strings.ToLower(code), "-")...)...)
	})

	t.Run("expired", func(t *testing.T) {
		code := inviteJSON(t, a, "--expires", "1h").Code
		srv.advance(2 * time.Hour)
		defer srv.advance(-2 * time.Hour)
		b := newCLI(t)
		b.as("desk", "staff-pass")
		b.expect(exitValidation, `used already or has expired`, "join", code)
		noStore(t, b)
	})

	t.Run("another organisation's root key", func(t *testing.T) {
		code, err := invite.ParseCode(inviteJSON(t, a).Code)
		must(t, err)
		code.Fingerprint[3] ^= 0x40
		b := newCLI(t)
		b.as("desk", "staff-pass")
		b.expect(exitAuth, `root key does not match the join code`, "join", code.String())
		noStore(t, b)
	})

	// A mistyped passphrase or user name spent the one-time code and left
	// a device registered that nobody held: the same code now works again
	// from the same data directory, and only once.
	t.Run("a wrong passphrase", func(t *testing.T) {
		code := inviteJSON(t, a, "--for", "desk").Code
		b := newCLI(t)
		b.as("desk", "not-the-pass")
		b.expect(exitAuth, `wrong user or passphrase for desk; the join code still works: run clinic join again`, "join", code)
		noStore(t, b)
		b.as("desk", "staff-pass")
		b.must("join", code)
		if _, err := os.Stat(filepath.Join(b.dir, "clinic.db.invitation")); err == nil {
			t.Error("the invitation kept for a retry outlived the join")
		}
		d := newCLI(t)
		d.as("desk", "staff-pass")
		d.expect(exitValidation, `used already or has expired`, "join", code)
	})

	t.Run("a user not in the directory", func(t *testing.T) {
		code := inviteJSON(t, a).Code
		b := newCLI(t)
		b.as("mallory", "staff-pass")
		b.expect(exitAuth, `wrong user or passphrase for mallory; the join code still works`, "join", code)
		noStore(t, b)
		b.as("desk", "staff-pass")
		if out := b.must("join", code); !strings.Contains(out, "desk can log in here") {
			t.Errorf("join printed %q", out)
		}
	})

	t.Run("a data directory with a store", func(t *testing.T) {
		code := inviteJSON(t, a).Code
		a.expect(exitStore, `already exists: .*clinic.db; join into another data directory`, "join", code)
		// The code was not spent on it.
		b := newCLI(t)
		b.as("desk", "staff-pass")
		b.must("join", code)
	})
}

func TestInviteAndDeviceBadInput(t *testing.T) {
	a, srv := registeredClinic(t)
	fresh := setup(t)
	fresh.as("admin", "admin-pass")
	_, devA := orgOf(t, a)
	unreachable, err := invite.NewCode("127.0.0.1:1", make([]byte, 32))
	must(t, err)
	cases := []struct {
		name string
		c    *cli
		user string
		code int
		re   string
		args []string
	}{
		{"join without a code", a, "admin", exitUsage, `join needs the join code`, []string{"join"}},
		{"an expiry too long", a, "admin", exitUsage, `--expires must be between 1m and 168h`, []string{"invite", "--expires", "200h"}},
		{"an argument too many", a, "admin", exitUsage, `unexpected "now"`, []string{"invite", "now"}},
		{"reception invites", a, "desk", exitAuth, `reception may not create device records`, []string{"invite"}},
		{"an invitation for nobody", a, "admin", exitValidation, `nobody is not an active user here`, []string{"invite", "--for", "nobody"}},
		{"no server yet", fresh, "admin", exitUsage, `no sync server yet: give --server`, []string{"invite"}},
		{"an organisation the server does not know", fresh, "admin", exitAuth, `not registered`, []string{"invite", "--server", srv.addr}},
		{"a server that is not there", newCLI(t), "admin", exitStore, `cannot reach the sync server at 127.0.0.1:1`, []string{"join", unreachable.String()}},
		{"device without a subcommand", a, "admin", exitUsage, `device needs a subcommand \(list, revoke\); run clinic device --help`, []string{"device"}},
		{"revoke without an ID", a, "admin", exitUsage, `usage: clinic device revoke ID`, []string{"device", "revoke"}},
		{"revoke an unknown device", a, "admin", exitValidation, `ffffffffffffffff is not a device of this organisation`, []string{"device", "revoke", "ffffffffffffffff"}},
		{"revoke this workstation", a, "admin", exitValidation, `is this workstation; revoke it from another admin's workstation`, []string{"device", "revoke", devA}},
		{"reception lists devices", a, "desk", exitAuth, `reception may not read device records`, []string{"device", "list"}},
		{"reception revokes", a, "desk", exitAuth, `reception may not change device records`, []string{"device", "revoke", devA}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pass := "staff-pass"
			if tc.user == "admin" {
				pass = "admin-pass"
			}
			tc.c.as(tc.user, pass)
			tc.c.expect(tc.code, tc.re, tc.args...)
		})
	}
}

// Revoking a device: the server refuses it at once, with a sentence and
// exit 2; the revoking workstation and the others seal under the new
// epoch from then on, and the revoked one never gets its key.
func TestDeviceRevoke(t *testing.T) {
	a, srv := registeredClinic(t)
	b, _ := joined(t, a, "desk")
	c, invC := joined(t, a, "desk")
	syncOut(t, b)
	syncOut(t, c)
	org, devA := orgOf(t, a)
	_, devB := orgOf(t, b)

	// c made a change it has not pushed yet.
	c.must("patient", "add", "--name", "Carl Late", "--dob", "1970-01-01")

	out := a.must("device", "revoke", invC.Device)
	if !strings.Contains(out, "revoked device "+invC.Device) || !strings.Contains(out, "key epoch 2 (was 1)") {
		t.Fatalf("device revoke printed %q", out)
	}
	c.expect(exitAuth, `^clinic: the sync server at \S+ refused this workstation: device revoked: device `+invC.Device+` was revoked on`, "sync")
	if out := a.must("device", "revoke", invC.Device); !strings.Contains(out, "revoked already") {
		t.Errorf("revoking again printed %q", out)
	}

	// The revoking workstation seals its next changes under epoch 2.
	a.as("desk", "staff-pass")
	a.must("patient", "add", "--name", "Ada After", "--dob", "1980-02-02")
	syncOut(t, a)
	// The other workstation takes the new key from the directory the
	// revocation pushed, and seals under it too.
	b.as("desk", "staff-pass")
	// b made a change before it heard of the revocation: sealed under the
	// retired epoch it is refused, so the sync pulls the directory with the
	// new key first (adopted at once, store.Session.Refresh) and pushes the
	// change again under it.
	b.must("patient", "add", "--name", "Bo Before", "--dob", "1980-01-01")
	if got := syncOut(t, b); got[0] == "0" || got[1] == "0" {
		t.Fatalf("after the revocation the other workstation pushed %s and pulled %s", got[0], got[1])
	}
	b.must("patient", "add", "--name", "Bea After", "--dob", "1980-03-03")
	syncOut(t, b)
	syncOut(t, a)
	if exportOf(t, a) != exportOf(t, b) {
		t.Fatal("exports of the remaining workstations differ after the revocation")
	}

	epochs := map[string][]uint32{}
	for _, bt := range srv.batches(t, org.ID) {
		epochs[bt.Device] = append(epochs[bt.Device], bt.Epoch)
	}
	for _, dev := range []string{devA, devB} {
		e := epochs[dev]
		if len(e) == 0 || e[len(e)-1] != 2 {
			t.Errorf("device %s pushed under epochs %v, the last must be 2", dev, e)
		}
	}
	for _, e := range epochs[invC.Device] {
		if e != 1 {
			t.Errorf("the revoked device stored a batch under epoch %d", e)
		}
	}

	// The revoked workstation holds no key of epoch 2: it could not open
	// the batches sealed after its revocation even if it got them.
	db, err := store.Open(filepath.Join(c.dir, "clinic.db"), store.Options{})
	must(t, err)
	defer db.Close()
	s, err := db.Login("desk", "staff-pass")
	must(t, err)
	if s.Epoch() != 1 {
		t.Fatalf("the revoked workstation moved to epoch %d", s.Epoch())
	}
	if _, err := s.OrgKey(2); err == nil {
		t.Fatal("the revoked workstation holds the key of epoch 2")
	}

	var list struct {
		Devices []deviceRow `json:"devices"`
	}
	a.as("admin", "admin-pass")
	must(t, json.Unmarshal([]byte(a.must("device", "list", "--json")), &list))
	for _, d := range list.Devices {
		if d.Revoked != (d.ID == invC.Device) || d.Revoked && d.RevokedAt == nil {
			t.Errorf("device list shows %s revoked=%v at %v", d.ID, d.Revoked, d.RevokedAt)
		}
	}
}
