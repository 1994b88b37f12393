package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"

	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/wire"
)

// form is how a call reached a server: which auth header it carried and
// whether its body held the Auth.
type form struct {
	header   string // "combined", "split" or ""
	bodyAuth bool
}

var (
	combinedWithAuth = form{"combined", true}
	splitBare        = form{"split", false}
)

// versionedServer answers Devices, Register and Pull as a server from
// before the split header does (its tap refuses a call without the
// combined header, and it says nothing of the split one), or, once
// upgraded, as one that takes it. It records how each call it read came.
type versionedServer struct {
	wire.UnimplementedSyncServer
	mu       sync.Mutex
	upgraded bool
	seen     []form
	refused  int
}

func (v *versionedServer) setUpgraded(up bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.upgraded = up
}

// takeSeen returns the forms read since the last call, and how many
// calls the tap refused.
func (v *versionedServer) takeSeen() ([]form, int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	seen, refused := v.seen, v.refused
	v.seen, v.refused = nil, 0
	return seen, refused
}

func (v *versionedServer) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.upgraded && len(info.Header.Get(auth.HeaderKey)) == 0 {
		v.refused++
		return nil, status.Error(codes.Unauthenticated, "server: request not authenticated: the call carries no auth header; update the workstation")
	}
	return ctx, nil
}

// read records a call and says, when upgraded, that the server takes the
// split header.
func (v *versionedServer) read(ctx context.Context, req wire.Request, setHeader func(metadata.MD) error) error {
	md, _ := metadata.FromIncomingContext(ctx)
	f := form{bodyAuth: req.GetAuth() != nil}
	switch {
	case len(md.Get(auth.HeaderKey)) > 0:
		f.header = "combined"
	case len(md.Get(auth.ProofKey)) > 0 && len(md.Get(auth.OrgKey)) == 1 && len(md.Get(auth.DeviceKey)) == 1:
		f.header = "split"
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen = append(v.seen, f)
	if v.upgraded {
		return setHeader(metadata.Pairs(auth.FeatureKey, auth.FeatureHeaderAuth))
	}
	return nil
}

func (v *versionedServer) Devices(ctx context.Context, req *wire.DevicesRequest) (*wire.DevicesResponse, error) {
	err := v.read(ctx, req, func(md metadata.MD) error { return grpc.SetHeader(ctx, md) })
	return &wire.DevicesResponse{Head: 7}, err
}

func (v *versionedServer) Register(ctx context.Context, req *wire.RegisterRequest) (*wire.RegisterResponse, error) {
	err := v.read(ctx, req, func(md metadata.MD) error { return grpc.SetHeader(ctx, md) })
	return &wire.RegisterResponse{}, err
}

func (v *versionedServer) Pull(req *wire.PullRequest, stream grpc.ServerStreamingServer[wire.PullItem]) error {
	if err := v.read(stream.Context(), req, stream.SetHeader); err != nil {
		return err
	}
	return stream.Send(&wire.PullItem{ServerSeq: 3})
}

// startVersioned serves a versionedServer and returns it with a client
// connection to it made with client.AuthHeaders.
func startVersioned(t *testing.T) (*versionedServer, wire.SyncClient) {
	t.Helper()
	v := &versionedServer{}
	g := grpc.NewServer(grpc.InTapHandle(v.tap))
	wire.RegisterSyncServer(g, v)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), append(client.AuthHeaders(),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return v, wire.NewSyncClient(conn)
}

// signed signs req as a device, now.
func signed[R wire.Request](t *testing.T, req R, method string) R {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth.Sign(req, method, "org-1", "dev-a", key, time.Now())
	return req
}

func wantSeen(t *testing.T, v *versionedServer, what string, refused int, want ...form) {
	t.Helper()
	seen, r := v.takeSeen()
	if r != refused || len(seen) != len(want) {
		t.Fatalf("%s: the server read %v and refused %d, want %v and %d refused", what, seen, r, want, refused)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("%s: the server read %v, want %v", what, seen, want)
		}
	}
}

// TestAuthHeadersFollowTheServer calls a server that does not take the
// split header, then one upgraded, then one downgraded again: the client
// sends the combined header and the body's Auth until the server says it
// takes the split header, then the split header and bare bodies, and
// goes back to the combined form, without failing a call, when the
// server refuses the split one.
func TestAuthHeadersFollowTheServer(t *testing.T) {
	v, rpc := startVersioned(t)
	ctx := context.Background()
	devices := func(what string) {
		t.Helper()
		req := signed(t, &wire.DevicesRequest{SeqsOnly: true}, wire.Sync_Devices_FullMethodName)
		a := req.Auth
		resp, err := rpc.Devices(ctx, req)
		if err != nil || resp.Head != 7 {
			t.Fatalf("%s: Devices = %v, %v", what, resp, err)
		}
		if req.Auth != a {
			t.Fatalf("%s: the call did not give the request its Auth back", what)
		}
	}

	devices("old server")
	devices("old server again")
	wantSeen(t, v, "an old server", 0, combinedWithAuth, combinedWithAuth)

	v.setUpgraded(true)
	devices("upgraded server, first call")
	devices("upgraded server, second call")
	devices("upgraded server, third call")
	wantSeen(t, v, "an upgraded server", 0, combinedWithAuth, splitBare, splitBare)

	req := signed(t, &wire.RegisterRequest{Token: "t"}, wire.Sync_Register_FullMethodName)
	if _, err := rpc.Register(ctx, req); err != nil {
		t.Fatal(err)
	}
	wantSeen(t, v, "a registration", 0, combinedWithAuth)

	v.setUpgraded(false)
	devices("downgraded server, first call")
	devices("downgraded server, second call")
	wantSeen(t, v, "a downgraded server", 1, combinedWithAuth, combinedWithAuth)
}

// TestPullAuthHeadersFollowTheServer is TestAuthHeadersFollowTheServer
// for the Pull stream.
func TestPullAuthHeadersFollowTheServer(t *testing.T) {
	v, rpc := startVersioned(t)
	ctx := context.Background()
	pull := func(what string) {
		t.Helper()
		stream, err := rpc.Pull(ctx, signed(t, &wire.PullRequest{}, wire.Sync_Pull_FullMethodName))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		n := 0
		for {
			item, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if item.ServerSeq != 3 {
				t.Fatalf("%s: got item %v", what, item)
			}
			n++
		}
		if n != 1 {
			t.Fatalf("%s: got %d items, want 1", what, n)
		}
	}
	pull("old server")
	v.setUpgraded(true)
	pull("upgraded server, first call")
	pull("upgraded server, second call")
	wantSeen(t, v, "an upgraded server", 0, combinedWithAuth, combinedWithAuth, splitBare)
	v.setUpgraded(false)
	pull("downgraded server, first call")
	pull("downgraded server, second call")
	wantSeen(t, v, "a downgraded server", 1, combinedWithAuth, combinedWithAuth)
}

// stallingServer answers Devices only when the call's context ends, and
// records whether the call announced a deadline.
type stallingServer struct {
	wire.UnimplementedSyncServer
	announced chan bool
	ended     chan error
}

func (s *stallingServer) Devices(ctx context.Context, _ *wire.DevicesRequest) (*wire.DevicesResponse, error) {
	_, ok := ctx.Deadline()
	s.announced <- ok
	<-ctx.Done()
	s.ended <- ctx.Err()
	return nil, ctx.Err()
}

// TestCallDeadlineStaysLocal makes a signed call with a deadline to a
// server that never answers: the call announces no deadline (no
// grpc-timeout header, which differs on every call), yet it ends with
// DeadlineExceeded when its deadline passes, and the server's handler
// sees the call cancelled.
func TestCallDeadlineStaysLocal(t *testing.T) {
	s := &stallingServer{announced: make(chan bool, 1), ended: make(chan error, 1)}
	g := grpc.NewServer()
	wire.RegisterSyncServer(g, s)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), append(client.AuthHeaders(),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req := signed(t, &wire.DevicesRequest{}, wire.Sync_Devices_FullMethodName)
	_, err = wire.NewSyncClient(conn).Devices(ctx, req)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a call past its deadline: %v, want DeadlineExceeded", err)
	}
	if <-s.announced {
		t.Fatal("the call announced its deadline to the server")
	}
	if err := <-s.ended; !errors.Is(err, context.Canceled) {
		t.Fatalf("the server's handler ended with %v, want its call cancelled", err)
	}
}
