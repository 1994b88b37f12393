package server_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/wire"
)

// payloads counts the request messages a server read, and their bytes.
type payloads struct{ n, bytes atomic.Int64 }

func (p *payloads) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (p *payloads) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (p *payloads) HandleConn(context.Context, stats.ConnStats) {}
func (p *payloads) HandleRPC(_ context.Context, s stats.RPCStats) {
	if in, ok := s.(*stats.InPayload); ok {
		p.n.Add(1)
		p.bytes.Add(int64(in.WireLength))
	}
}

// fakeClock is a server clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rawConn is a connection that sends no auth headers, as an attacker's.
func rawConn(t *testing.T, h *harness, opts ...grpc.DialOption) wire.SyncClient {
	t.Helper()
	conn, err := grpc.NewClient(h.addr, append(opts,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(16<<20)))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return wire.NewSyncClient(conn)
}

// TestUnauthenticatedPushesAreNotRead sends 40 concurrent 4 MB pushes
// that no registered device signed, half without an auth header and half
// with one forged for a real device: the server refuses every one on its
// headers and reads none of their bodies.
func TestUnauthenticatedPushesAreNotRead(t *testing.T) {
	counted := &payloads{}
	h := start(t, options{token: testToken, grpc: []grpc.ServerOption{grpc.StatsHandler(counted)},
		limits: server.Limits{FailureBurst: 1000}})
	o := registered(t, h, "org-1")
	bare, forged := rawConn(t, h), rawConn(t, h, client.AuthHeaders()...)
	readBefore := counted.bytes.Load()
	body := make([]byte, 4<<20)
	rand.Read(body)
	req := &wire.PushRequest{Envelope: body}
	auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-a", newKey(t), time.Now())
	var wg sync.WaitGroup
	codesSeen := make(chan codes.Code, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := bare
			if i%2 == 1 {
				c = forged
			}
			_, err := c.Push(context.Background(), req)
			codesSeen <- status.Code(err)
		}()
	}
	wg.Wait()
	close(codesSeen)
	for c := range codesSeen {
		if c != codes.Unauthenticated {
			t.Errorf("an unauthenticated push got %s, want Unauthenticated", c)
		}
	}
	if read := counted.bytes.Load() - readBefore; read != 0 {
		t.Fatalf("the server read %d bytes of unauthenticated pushes, want 0", read)
	}
	if _, err := o.push(h, "dev-a", o.seal(t, "dev-a", o.changes(t, "dev-a", 1))); err != nil {
		t.Fatalf("the genuine device cannot push: %v", err)
	}
}

// TestRegistrationGuessesAreThrottled makes 100 registrations with wrong
// tokens from one address: the first DefaultFailureBurst are checked, the
// rest refused unchecked, until the address has waited.
func TestRegistrationGuessesAreThrottled(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := start(t, options{token: testToken, now: clock.Now})
	got := map[codes.Code]int{}
	for i := range 100 {
		o := newOrg(t, fmt.Sprintf("org-%d", i))
		_, err := h.client.Register(context.Background(), o.registerRequest(t, fmt.Sprintf("guess-%d", i)))
		got[status.Code(err)]++
	}
	if got[codes.PermissionDenied] != server.DefaultFailureBurst || got[codes.ResourceExhausted] != 100-server.DefaultFailureBurst {
		t.Fatalf("100 guesses: %v; want %d checked (PermissionDenied), the rest ResourceExhausted", got, server.DefaultFailureBurst)
	}
	o := newOrg(t, "org-right")
	_, err := h.client.Register(context.Background(), o.registerRequest(t, testToken))
	wantCode(t, "the right token while throttled", err, codes.ResourceExhausted)
	clock.advance(server.DefaultFailureRefill)
	if _, err := h.client.Register(context.Background(), o.registerRequest(t, testToken)); err != nil {
		t.Fatalf("the right token after waiting: %v", err)
	}
}

// TestAuthenticationFailuresAreThrottled forges 50 auth headers of a real
// device: after DefaultFailureBurst failures the address is refused before
// the server looks anything up.
func TestAuthenticationFailuresAreThrottled(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := start(t, options{token: testToken, now: clock.Now})
	o := registered(t, h, "org-1")
	got := map[codes.Code]int{}
	for range 50 {
		req := &wire.DevicesRequest{}
		auth.Sign(req, wire.Sync_Devices_FullMethodName, o.id, "dev-a", newKey(t), time.Now())
		_, err := h.client.Devices(context.Background(), req)
		got[status.Code(err)]++
	}
	if got[codes.Unauthenticated] != server.DefaultFailureBurst || got[codes.ResourceExhausted] != 50-server.DefaultFailureBurst {
		t.Fatalf("50 forged calls: %v; want %d Unauthenticated, the rest ResourceExhausted", got, server.DefaultFailureBurst)
	}
}

// registerGate holds RegisterOrg until released and says when a call
// reaches it.
type registerGate struct {
	server.Backend
	entered chan struct{}
	release chan struct{}
}

func (g *registerGate) RegisterOrg(ctx context.Context, org server.Org, first server.Device) error {
	g.entered <- struct{}{}
	<-g.release
	return g.Backend.RegisterOrg(ctx, org, first)
}

// TestOpenCallsAreAdmittedFewAtATime holds registrations in flight: one
// address gets DefaultMaxOpenCallsPerPeer of them read at once, and the
// next is refused before its body is read.
func TestOpenCallsAreAdmittedFewAtATime(t *testing.T) {
	g := &registerGate{entered: make(chan struct{}), release: make(chan struct{})}
	h := start(t, options{token: testToken, wrap: func(b server.Backend) server.Backend { g.Backend = b; return g }})
	n := server.DefaultMaxOpenCallsPerPeer + 1
	refused := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		o := newOrg(t, fmt.Sprintf("org-%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.client.Register(context.Background(), o.registerRequest(t, testToken)); err != nil {
				refused <- err
			}
		}()
	}
	entered, refusals := 0, 0
	for entered+refusals < n {
		select {
		case <-g.entered:
			entered++
		case err := <-refused:
			wantCode(t, "a registration beyond the limit", err, codes.ResourceExhausted)
			refusals++
		}
	}
	close(g.release)
	wg.Wait()
	if entered != server.DefaultMaxOpenCallsPerPeer || refusals != 1 {
		t.Fatalf("%d registrations in flight and %d refused; want %d and 1", entered, refusals, server.DefaultMaxOpenCallsPerPeer)
	}
}

// TestConnectionLimitsAreAdvertised reads the server's HTTP/2 settings:
// concurrent streams per connection and header size are bounded.
func TestConnectionLimitsAreAdvertised(t *testing.T) {
	h := start(t, options{})
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The client preface and an empty SETTINGS frame.
	if _, err := io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	head := make([]byte, 9)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	if head[3] != 0x4 {
		t.Fatalf("the server's first frame has type %d, not SETTINGS", head[3])
	}
	payload := make([]byte, int(head[0])<<16|int(head[1])<<8|int(head[2]))
	if _, err := io.ReadFull(r, payload); err != nil {
		t.Fatal(err)
	}
	settings := map[uint16]uint32{}
	for p := payload; len(p) >= 6; p = p[6:] {
		settings[binary.BigEndian.Uint16(p)] = binary.BigEndian.Uint32(p[2:])
	}
	const maxConcurrentStreams, maxHeaderListSize = 0x3, 0x6
	if got := settings[maxConcurrentStreams]; got != server.DefaultMaxStreams {
		t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS %d, want %d", got, server.DefaultMaxStreams)
	}
	if got := settings[maxHeaderListSize]; got == 0 || got > 64<<10 {
		t.Errorf("SETTINGS_MAX_HEADER_LIST_SIZE %d, want a bound of at most 64 KiB", got)
	}
}
