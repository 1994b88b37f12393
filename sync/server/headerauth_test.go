package server_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"medisecure/sync/auth"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/wire"
)

// splitCall returns a context carrying the split auth header of req,
// which is signed, and req without its Auth, as a client sends them once
// its server takes the split header.
func splitCall[R wire.Request](t *testing.T, req R) (context.Context, R) {
	t.Helper()
	c, err := auth.NewClaim(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(),
		auth.ProofKey, string(c.Proof()), auth.OrgKey, c.Org, auth.DeviceKey, c.Device)
	bare := proto.Clone(req).(R)
	bare.SetAuth(nil)
	return ctx, bare
}

// combinedCall returns a context carrying the combined auth header of
// req, as a client from before the split header sends it with req.
func combinedCall(t *testing.T, req wire.Request) context.Context {
	t.Helper()
	h, err := auth.Header(req)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), auth.HeaderKey, string(h))
}

// pullAll reads a Pull stream to its end.
func pullAll(stream grpc.ServerStreamingClient[wire.PullItem]) ([]*wire.PullItem, error) {
	var items []*wire.PullItem
	for {
		item, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		items = append(items, item)
	}
}

// TestSplitHeaderWithoutBodyAuth pushes and pulls with the split header
// and bodies without their Auth: the server takes the Auth from the
// verified header, says that it does, and logs the caller.
func TestSplitHeaderWithoutBodyAuth(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	raw := rawConn(t, h)

	push := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 2))}
	o.sign(push, wire.Sync_Push_FullMethodName, "dev-a")
	ctx, bare := splitCall(t, push)
	var md metadata.MD
	resp, err := raw.Push(ctx, bare, grpc.Header(&md))
	if err != nil {
		t.Fatalf("push with the split header: %v", err)
	}
	if resp.LastSeq != 2 {
		t.Fatalf("push acknowledged %d, want 2", resp.LastSeq)
	}
	if v := md.Get(auth.FeatureKey); len(v) != 1 || v[0] != auth.FeatureHeaderAuth {
		t.Fatalf("the answer's %s is %q, want %q", auth.FeatureKey, v, auth.FeatureHeaderAuth)
	}
	if logs := h.logs.String(); !strings.Contains(logs, `"device":"dev-a"`) {
		t.Fatalf("the push's log line does not name its device:\n%s", logs)
	}

	pull := &wire.PullRequest{}
	o.sign(pull, wire.Sync_Pull_FullMethodName, "dev-b")
	ctx, bareQ := splitCall(t, pull)
	stream, err := raw.Pull(ctx, bareQ)
	if err != nil {
		t.Fatal(err)
	}
	items, err := pullAll(stream)
	if err != nil || len(items) != 1 {
		t.Fatalf("pull with the split header got %d items, %v; want 1", len(items), err)
	}
	if md, err := stream.Header(); err != nil || len(md.Get(auth.FeatureKey)) != 1 {
		t.Fatalf("the pull's answer headers %v (%v) do not say the server takes the split header", md, err)
	}

	// A body that carries its Auth as well, the same as the header's, is
	// served too.
	devices := &wire.DevicesRequest{SeqsOnly: true}
	o.sign(devices, wire.Sync_Devices_FullMethodName, "dev-b")
	ctx, _ = splitCall(t, devices)
	if _, err := raw.Devices(ctx, devices); err != nil {
		t.Fatalf("devices with the split header and the Auth in the body: %v", err)
	}
}

// TestCombinedHeaderWithBodyAuth is a client from before the split
// header: combined header, Auth in the body. It is served as before.
func TestCombinedHeaderWithBodyAuth(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	raw := rawConn(t, h)
	push := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))}
	o.sign(push, wire.Sync_Push_FullMethodName, "dev-a")
	if _, err := raw.Push(combinedCall(t, push), push); err != nil {
		t.Fatalf("push with the combined header: %v", err)
	}
	pull := &wire.PullRequest{}
	o.sign(pull, wire.Sync_Pull_FullMethodName, "dev-b")
	stream, err := raw.Pull(combinedCall(t, pull), pull)
	if err != nil {
		t.Fatal(err)
	}
	if items, err := pullAll(stream); err != nil || len(items) != 1 {
		t.Fatalf("pull with the combined header got %d items, %v; want 1", len(items), err)
	}
	// The combined header without the body's Auth: the server rebuilds
	// it from the header just the same.
	devices := &wire.DevicesRequest{}
	o.sign(devices, wire.Sync_Devices_FullMethodName, "dev-b")
	ctx := combinedCall(t, devices)
	devices.Auth = nil
	if _, err := raw.Devices(ctx, devices); err != nil {
		t.Fatalf("devices with the combined header and no Auth in the body: %v", err)
	}
}

// TestSplitHeaderOtherBodyIsRefused sends a genuine push's split header
// with another body, without an Auth and with the header's: the header
// proves the caller, not this body. The genuine push then goes through:
// the refused ones spent nothing of it.
func TestSplitHeaderOtherBodyIsRefused(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	raw := rawConn(t, h)
	signed := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))}
	o.sign(signed, wire.Sync_Push_FullMethodName, "dev-a")
	ctx, bare := splitCall(t, signed)
	o.seq["dev-a"] = 0
	other := o.seal(t, "dev-a", o.changes(t, "dev-a", 1))

	swapped := proto.Clone(bare).(*wire.PushRequest)
	swapped.Envelope = other
	_, err := raw.Push(ctx, swapped)
	wantCode(t, "a push without Auth whose body is not its header's", err, codes.Unauthenticated)

	withAuth := proto.Clone(signed).(*wire.PushRequest)
	withAuth.Envelope = other
	_, err = raw.Push(ctx, withAuth)
	wantCode(t, "a push with the header's Auth whose body is not its header's", err, codes.Unauthenticated)

	otherAuth := proto.Clone(signed).(*wire.PushRequest)
	o.sign(otherAuth, wire.Sync_Push_FullMethodName, "dev-a")
	_, err = raw.Push(ctx, otherAuth)
	wantCode(t, "a push whose body's Auth is not its header's", err, codes.Unauthenticated)

	if _, err := raw.Push(ctx, bare); err != nil {
		t.Fatalf("the genuine push with its own header: %v", err)
	}
	_, err = raw.Push(ctx, bare)
	wantCode(t, "the same split call again (a replay)", err, codes.Unauthenticated)
}

// TestNoAuthAnywhereIsRefused sends requests with neither an auth header
// nor an Auth in the body.
func TestNoAuthAnywhereIsRefused(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	raw := rawConn(t, h)
	_, err := raw.Push(context.Background(), &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))})
	wantCode(t, "a push without any auth", err, codes.Unauthenticated)
	_, err = raw.Devices(context.Background(), &wire.DevicesRequest{})
	wantCode(t, "devices without any auth", err, codes.Unauthenticated)
	stream, err := raw.Pull(context.Background(), &wire.PullRequest{})
	if err == nil {
		_, err = pullAll(stream)
	}
	wantCode(t, "a pull without any auth", err, codes.Unauthenticated)
	// A proof without its organisation and device.
	signed := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))}
	o.sign(signed, wire.Sync_Push_FullMethodName, "dev-a")
	c, err := auth.NewClaim(signed)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Push(metadata.AppendToOutgoingContext(context.Background(), auth.ProofKey, string(c.Proof())), signed)
	wantCode(t, "a push with a proof alone", err, codes.Unauthenticated)
}

// TestForgedSplitHeadersAreNotRead sends 4 MB pushes under split headers
// the caller's device did not sign, or that name no device: the server
// refuses them on their headers and reads none of their bodies.
func TestForgedSplitHeadersAreNotRead(t *testing.T) {
	counted := &payloads{}
	h := start(t, options{token: testToken, grpc: []grpc.ServerOption{grpc.StatsHandler(counted)},
		limits: server.Limits{FailureBurst: 1000}})
	o := registered(t, h, "org-1")
	raw := rawConn(t, h)
	body := make([]byte, 4<<20)
	rand.Read(body)
	req := &wire.PushRequest{Envelope: body}
	auth.Sign(req, wire.Sync_Push_FullMethodName, o.id, "dev-a", newKey(t), time.Now())
	forged, bare := splitCall(t, req)
	c, err := auth.NewClaim(req)
	if err != nil {
		t.Fatal(err)
	}
	nameless := metadata.AppendToOutgoingContext(context.Background(), auth.ProofKey, string(c.Proof()), auth.OrgKey, o.id)
	twice := metadata.AppendToOutgoingContext(forged, auth.DeviceKey, "dev-b")
	before := counted.bytes.Load()
	for _, ctx := range []context.Context{forged, nameless, twice} {
		_, err := raw.Push(ctx, bare)
		wantCode(t, "a push under a forged split header", err, codes.Unauthenticated)
	}
	if read := counted.bytes.Load() - before; read != 0 {
		t.Fatalf("the server read %d bytes of unauthenticated pushes, want 0", read)
	}
}

// TestHandlerWithoutTapNeedsBodyAuth calls a Server's handlers directly,
// without the gRPC server whose tap verifies headers: a request without
// its Auth is refused.
func TestHandlerWithoutTapNeedsBodyAuth(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := server.New(server.Config{Backend: st})
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Devices(context.Background(), &wire.DevicesRequest{})
	wantCode(t, "Devices without Auth and without a tap", err, codes.Unauthenticated)
	_, err = srv.Push(context.Background(), &wire.PushRequest{Envelope: []byte("x")})
	wantCode(t, "Push without Auth and without a tap", err, codes.Unauthenticated)
}
