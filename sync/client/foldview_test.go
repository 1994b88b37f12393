package client_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"medisecure/core"
	"medisecure/sync/client"
	"medisecure/sync/wire"
)

// callLog records the calls a client makes: the method's short name, and
// "+view" for a push that asked for the server's view.
type callLog struct {
	mu    sync.Mutex
	calls []string
	// dropViews makes every push answer come without its view, as from a
	// server from before PushRequest.view.
	dropViews bool
	// loseAnswers makes this many pushes that asked for the view reach
	// the server but fail their answer.
	loseAnswers int
}

func (l *callLog) note(method string, req any) {
	name := method[strings.LastIndex(method, "/")+1:]
	if p, ok := req.(*wire.PushRequest); ok && p.View {
		name += "+view"
	}
	l.mu.Lock()
	l.calls = append(l.calls, name)
	l.mu.Unlock()
}

// take returns the calls noted since the last take.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

func (l *callLog) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	l.note(method, req)
	err := invoker(ctx, method, req, reply, cc, opts...)
	if p, ok := req.(*wire.PushRequest); ok && p.View && err == nil && l.loseAnswers > 0 {
		l.loseAnswers--
		return status.Error(codes.Unavailable, "answer lost")
	}
	if p, ok := reply.(*wire.PushResponse); ok && l.dropViews {
		p.View = nil
	}
	return err
}

func (l *callLog) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	l.note(method, nil)
	return streamer(ctx, desc, cc, method, opts...)
}

// loggedPair starts a server and an organisation of two workstations in
// step with it, the first connected through a callLog.
func loggedPair(t *testing.T) (*syncServer, []*workstation, *callLog) {
	t.Helper()
	srv := startServer(t)
	wss := newOrg(t, 2)
	online(t, srv, wss)
	converge(t, wss)
	return srv, wss, connectLogged(t, wss[0], srv)
}

// connectLogged connects w to srv through a callLog.
func connectLogged(t *testing.T, w *workstation, srv *syncServer) *callLog {
	t.Helper()
	l := &callLog{}
	conn, err := grpc.NewClient(srv.addr, append(client.AuthHeaders(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(l.unary), grpc.WithChainStreamInterceptor(l.stream))...)
	must(t, err)
	if w.conn != nil {
		w.conn.Close()
	}
	w.conn, w.addr, w.opts = conn, srv.addr, fastOptions(srv.addr)
	w.client = client.New(conn, w.admin, w.opts)
	return l
}

func wantCalls(t *testing.T, l *callLog, what string, want ...string) {
	t.Helper()
	if got := l.take(); !slices.Equal(got, want) {
		t.Fatalf("%s made the calls %q, want %q", what, got, want)
	}
}

// TestRoundAsksForTheViewWithItsPush: after a round that ended well, a
// round with changes to push makes one call, the push that asks for the
// server's view; the first round of a client, and a round with nothing to
// push, ask Devices first. Changes still go both ways.
func TestRoundAsksForTheViewWithItsPush(t *testing.T) {
	_, wss, l := loggedPair(t)
	a, b := wss[0], wss[1]
	ids := map[string]core.ID{"A1": addPatient(t, a, "A1")}
	a.sync()
	wantCalls(t, l, "a client's first round", "Devices", "Push")
	ids["A2"] = addPatient(t, a, "A2")
	if rep := a.sync(); rep.Pushed != 1 {
		t.Fatalf("the folded round pushed %d changes, want 1", rep.Pushed)
	}
	wantCalls(t, l, "a round with a change", "Push+view")
	a.sync()
	wantCalls(t, l, "a round with nothing to push", "Devices", "Pull")
	ids["B1"] = addPatient(t, b, "B1")
	b.sync()
	ids["A3"] = addPatient(t, a, "A3")
	if rep := a.sync(); rep.Pulled != 1 {
		t.Fatalf("the folded round pulled %d changes, want b's 1", rep.Pulled)
	}
	// Devices, after the pull: this new client looks up b's key once to
	// open b's batch.
	wantCalls(t, l, "a round with a change after another device's", "Push+view", "Pull", "Devices")
	converge(t, wss)
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}

// TestFoldedRoundRecoversARestoredServer restores the server from a copy
// that lacks another device's batch: the next folded round learns it from
// its push's view, hands the batch back, and everyone ends with every
// change.
func TestFoldedRoundRecoversARestoredServer(t *testing.T) {
	srv := startServer(t)
	wss := newOrg(t, 3)
	online(t, srv, wss[:2])
	a, b, c := wss[0], wss[1], wss[2]
	must(t, a.client.AddDevice(context.Background(), c.db.DeviceID(), c.admin.DeviceKey().Public().(ed25519.PublicKey)))
	converge(t, wss[:2])
	l := connectLogged(t, a, srv)
	a.sync()
	srv.halt()
	backup := filepath.Join(t.TempDir(), "syncd-backup.db")
	copyFile(t, srv.path, backup)
	srv.start()

	ids := map[string]core.ID{"B1": addPatient(t, b, "B1")}
	b.sync()
	a.sync()
	srv.halt()
	copyFile(t, backup, srv.path)
	srv.start()

	l.take()
	ids["A1"] = addPatient(t, a, "A1")
	rep := a.sync()
	if rep.Restored == 0 {
		t.Fatalf("the folded round did not hand back b's lost batch: %+v", rep)
	}
	if calls := l.take(); len(calls) == 0 || calls[0] != "Push+view" || slices.Contains(calls, "Devices") {
		t.Fatalf("the round after the restore made the calls %q, want a folded one", calls)
	}
	syncState(t, a, true, "server lost")
	converge(t, wss[:2])
	c.connect(srv.addr, fastOptions(srv.addr))
	c.sync()
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}

// TestFoldedRoundFallsBack restores the server from a copy that lacks
// this device's own last batch: the folded push is refused as out of
// order, and the round goes on as an unfolded one (Devices, recover),
// handing the batch back.
func TestFoldedRoundFallsBack(t *testing.T) {
	srv, wss, l := loggedPair(t)
	a := wss[0]
	a.sync()
	srv.halt()
	backup := filepath.Join(t.TempDir(), "syncd-backup.db")
	copyFile(t, srv.path, backup)
	srv.start()
	ids := map[string]core.ID{"A1": addPatient(t, a, "A1")}
	a.sync()
	srv.halt()
	copyFile(t, backup, srv.path)
	srv.start()

	l.take()
	ids["A2"] = addPatient(t, a, "A2")
	rep := a.sync()
	if rep.Restored == 0 || rep.Pushed != 1 {
		t.Fatalf("the round after the restore: %+v, want A1 handed back and A2 pushed", rep)
	}
	if calls := l.take(); len(calls) == 0 || calls[0] != "Push+view" || !slices.Contains(calls, "Devices") {
		t.Fatalf("the round after the restore made the calls %q, want a folded push, then Devices", calls)
	}
	converge(t, wss)
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}

// TestServerWithoutViewIsNotAskedAgain answers pushes without a view, as a
// server from before PushRequest.view does: the round that asked goes on
// unfolded, and later rounds do not ask.
func TestServerWithoutViewIsNotAskedAgain(t *testing.T) {
	_, wss, l := loggedPair(t)
	a := wss[0]
	l.dropViews = true
	a.sync()
	l.take()
	ids := map[string]core.ID{"A1": addPatient(t, a, "A1")}
	if rep := a.sync(); rep.Pushed != 1 {
		t.Fatalf("pushed %d, want 1", rep.Pushed)
	}
	wantCalls(t, l, "the round whose push came back without a view", "Push+view", "Devices", "Pull")
	ids["A2"] = addPatient(t, a, "A2")
	a.sync()
	wantCalls(t, l, "a later round", "Devices", "Push")
	converge(t, wss)
	hasPatients(t, wss, ids)
}

// TestFoldedRoundAfterALostAnswer loses the answer to a folded round's
// first push: the push is retried, the server takes it as the batch it
// holds, and the round ends with the change acknowledged and nothing to
// pull again.
func TestFoldedRoundAfterALostAnswer(t *testing.T) {
	_, wss, l := loggedPair(t)
	a := wss[0]
	a.sync()
	l.take()
	l.loseAnswers = 1
	ids := map[string]core.ID{"A1": addPatient(t, a, "A1")}
	if rep := a.sync(); rep.Pushed != 1 {
		t.Fatalf("pushed %d, want 1", rep.Pushed)
	}
	if calls := l.take(); len(calls) < 2 || calls[0] != "Push+view" || calls[1] != "Push+view" || slices.Contains(calls, "Devices") {
		t.Fatalf("the round made the calls %q, want the folded push twice and no Devices", calls)
	}
	if st := a.state(); st.Pending != 0 {
		t.Fatalf("%d changes still pending", st.Pending)
	}
	converge(t, wss)
	hasPatients(t, wss, ids)
	sameExports(t, wss)
}
