package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"medisecure/core"
	"medisecure/store"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

const testToken = "operator-token-for-tests"

// testKDF keeps logins fast.
var testKDF = store.KDF{Time: 1, MemKiB: 64, Threads: 1}

// syncServer is a real sync server on 127.0.0.1:0 over a bbolt file in a
// temporary directory. It can be stopped and started again on the same
// file and address.
type syncServer struct {
	t    testing.TB
	path string
	addr string
	mu   sync.Mutex
	stop func()
	// wrap, when set, puts a layer between the server and its file.
	wrap func(*boltstore.Store) server.Backend
}

func startServer(t testing.TB) *syncServer {
	return startServerWith(t, nil)
}

// startServerWith starts a server whose backend is wrap of its file.
func startServerWith(t testing.TB, wrap func(*boltstore.Store) server.Backend) *syncServer {
	t.Helper()
	s := &syncServer{t: t, path: filepath.Join(t.TempDir(), "syncd.db"), addr: "127.0.0.1:0", wrap: wrap}
	s.start()
	t.Cleanup(s.halt)
	return s
}

// start serves the file on the server's address.
func (s *syncServer) start() {
	s.t.Helper()
	st, err := boltstore.Open(s.path)
	if err != nil {
		s.t.Fatal(err)
	}
	var backend server.Backend = st
	if s.wrap != nil {
		backend = s.wrap(st)
	}
	srv, err := server.New(server.Config{
		Backend: backend, RegisterToken: testToken, ShutdownGrace: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		s.t.Fatal(err)
	}
	var lis net.Listener
	for i := 0; ; i++ {
		if lis, err = net.Listen("tcp", s.addr); err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond) // the old listener is closing
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = lis.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, lis)
		st.Close()
		close(done)
	}()
	s.mu.Lock()
	s.stop = func() { cancel(); <-done }
	s.mu.Unlock()
}

// halt stops the server; starting it again serves the same file.
func (s *syncServer) halt() {
	s.mu.Lock()
	stop := s.stop
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// testClock is a store clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// workstation is one store file with its sessions and a sync client.
type workstation struct {
	t      testing.TB
	name   string
	path   string
	clock  *testClock
	db     *store.DB
	admin  *store.Session
	desk   *store.Session
	conn   *grpc.ClientConn
	client *client.Client
	// addr is where the client connects; opts its options.
	addr string
	opts client.Options
}

// The first workstation's users.
const (
	adminPass = "admin-pass-1"
	deskPass  = "desk-pass-1"
	docPass   = "doctor-pass-1"
	doctor    = "drwho"
)

// newOrg creates the first workstation's store (an admin, a receptionist
// and a doctor with hours) and n-1 copies of it taken right after, each
// with its own device identity. Until joining is built, copies are how a
// second workstation gets the organisation's keys and directory.
func newOrg(t testing.TB, n int) []*workstation {
	t.Helper()
	return newOrgWith(t, n, func(db *store.DB, admin *store.Session) {
		must(t, admin.AddUser(core.User{Name: "desk", Role: core.RoleReception}, deskPass))
		must(t, admin.AddUser(core.User{Name: doctor, Role: core.RoleDoctor}, docPass))
		doc, err := db.Login(doctor, docPass)
		must(t, err)
		sc := core.Schedule{Doctor: doctor, SlotMinutes: 15}
		for d := time.Monday; d <= time.Friday; d++ {
			sc.Hours[d] = []core.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
		}
		_, err = doc.SetSchedule(sc)
		must(t, err)
	})
}

// newOrgWith is newOrg with the first store's content made by setup, which
// must add a receptionist "desk" with deskPass.
func newOrgWith(t testing.TB, n int, setup func(db *store.DB, admin *store.Session)) []*workstation {
	t.Helper()
	dir := t.TempDir()
	first := filepath.Join(dir, "ws1.db")
	clk := &testClock{t: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}
	opts := store.Options{Now: clk.now, KDF: testKDF}
	must(t, store.Create(first, store.InitOptions{Org: "Test Clinic", Zone: "Europe/Berlin", Admin: "admin", Passphrase: adminPass}, opts))
	db, err := store.Open(first, opts)
	must(t, err)
	admin, err := db.Login("admin", adminPass)
	must(t, err)
	setup(db, admin)
	must(t, db.Close())
	raw, err := os.ReadFile(first)
	must(t, err)
	out := make([]*workstation, n)
	for i := range out {
		path := first
		if i > 0 {
			path = filepath.Join(dir, fmt.Sprintf("ws%d.db", i+1))
			must(t, os.WriteFile(path, raw, 0o600))
		}
		w := &workstation{t: t, name: fmt.Sprintf("ws%d", i+1), path: path, clock: &testClock{t: clk.now()}}
		w.open()
		if i > 0 {
			must(t, w.admin.NewDeviceIdentity())
		}
		t.Cleanup(w.close)
		out[i] = w
	}
	return out
}

// open opens the store and logs the admin and the receptionist in.
func (w *workstation) open() {
	w.t.Helper()
	db, err := store.Open(w.path, store.Options{Now: w.clock.now, KDF: testKDF})
	must(w.t, err)
	w.db = db
	w.admin, err = db.Login("admin", adminPass)
	must(w.t, err)
	w.desk, err = db.Login("desk", deskPass)
	must(w.t, err)
}

// close closes the client's connection and the store.
func (w *workstation) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	if w.db != nil {
		w.db.Close()
		w.db = nil
	}
}

// reopen closes and opens the store again, as a restarted workstation,
// and connects a new client the same way.
func (w *workstation) reopen() {
	w.t.Helper()
	addr, opts := w.addr, w.opts
	w.close()
	w.open()
	if addr != "" {
		w.connect(addr, opts)
	}
}

// fastOptions are client options for tests: retries wait a twentieth of
// their delay (enough for the connection to come back), short timeouts,
// and a skew bound of a year, as each workstation's test clock moves on
// its own (the clock tests set their own bound).
func fastOptions(addr string) client.Options {
	return client.Options{
		Addr: addr, Token: testToken,
		Sleep:         quickSleep,
		Jitter:        func() float64 { return 0.5 },
		CallTimeout:   5 * time.Second,
		MaxClockAhead: 365 * 24 * time.Hour,
	}
}

// quickSleep waits a twentieth of d.
func quickSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d / 20)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// connect makes the workstation's client for the server at addr, syncing
// the admin's session.
func (w *workstation) connect(addr string, opts client.Options) {
	w.t.Helper()
	if w.conn != nil {
		w.conn.Close()
	}
	conn, err := client.Dial(addr, client.DialOptions{ReconnectMax: 50 * time.Millisecond})
	must(w.t, err)
	w.conn, w.addr, w.opts = conn, addr, opts
	w.client = client.New(conn, w.admin, opts)
}

// sync runs one SyncOnce that must succeed.
func (w *workstation) sync() client.Report {
	w.t.Helper()
	rep, err := w.client.SyncOnce(context.Background())
	if err != nil {
		w.t.Fatalf("%s: sync: %v", w.name, err)
	}
	return rep
}

// export is the workstation's export without messages, whose copies are
// sealed to each recipient on each workstation and so differ by design.
func (w *workstation) export() string {
	w.t.Helper()
	var buf bytes.Buffer
	_, err := w.admin.Export(&buf)
	must(w.t, err)
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if !strings.HasPrefix(line, `{"kind":"message"`) {
			out.WriteString(line)
		}
	}
	return out.String()
}

// state is the workstation's sync state.
func (w *workstation) state() store.Status {
	w.t.Helper()
	st, err := w.admin.SyncState()
	must(w.t, err)
	return st
}

// online connects every workstation to the server: the first registers
// the organisation with the token; the others' devices are added by the
// first with records the org root key signs.
func online(t testing.TB, srv *syncServer, wss []*workstation) {
	t.Helper()
	for _, w := range wss {
		w.connect(srv.addr, fastOptions(srv.addr))
	}
	must(t, wss[0].client.Register(context.Background(), testToken))
	for _, w := range wss[1:] {
		must(t, wss[0].client.AddDevice(context.Background(), w.db.DeviceID(), w.admin.DeviceKey().Public().(ed25519.PublicKey)))
	}
}

// converge syncs every workstation in turn, twice round, so each has what
// every other pushed.
func converge(t testing.TB, wss []*workstation) {
	t.Helper()
	for range 2 {
		for _, w := range wss {
			w.sync()
		}
	}
}

// sameExports fails unless every workstation exports the same bytes.
func sameExports(t testing.TB, wss []*workstation) string {
	t.Helper()
	want := wss[0].export()
	for _, w := range wss[1:] {
		if got := w.export(); got != want {
			t.Fatalf("%s's export differs from %s's:\n%s", w.name, wss[0].name, firstDiff(want, got))
		}
	}
	return want
}

// firstDiff shows the first line two exports disagree on.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d (%d vs %d lines):\n- %s\n+ %s", i+1, len(al), len(bl), x, y)
		}
	}
	return "no line differs"
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err is target.
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %v", err, target)
	}
}
