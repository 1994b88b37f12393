package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	"medisecure/sync/server"
	"medisecure/sync/wire"
)

func TestHealthAndReflection(t *testing.T) {
	h := start(t, options{token: testToken})
	ctx := context.Background()
	for _, svc := range []string{"", "medisecure.sync.v1.Sync"} {
		resp, err := healthpb.NewHealthClient(h.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v, %v", svc, resp, err)
		}
	}
	stream, err := reflectionpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		found[s.Name] = true
	}
	for _, want := range []string{"medisecure.sync.v1.Sync", "grpc.health.v1.Health"} {
		if !found[want] {
			t.Errorf("reflection does not list %s (lists %v)", want, found)
		}
	}
	stream.CloseSend()
}

// gate holds Append until released, so a test can stop the server while a
// push is in flight.
type gate struct {
	server.Backend
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gate) Append(ctx context.Context, org string, b server.Batch) (uint64, bool, error) {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return g.Backend.Append(ctx, org, b)
}

func TestGracefulStopFinishesPushes(t *testing.T) {
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	h := start(t, options{token: testToken, wrap: func(b server.Backend) server.Backend {
		g.Backend = b
		return g
	}})
	o := registered(t, h, "org-1")
	raw := o.seal(t, "dev-a", o.changes(t, "dev-a", 2))
	type result struct {
		resp *wire.PushResponse
		err  error
	}
	pushed := make(chan result, 1)
	go func() {
		resp, err := o.push(h, "dev-a", raw)
		pushed <- result{resp, err}
	}()
	<-g.entered
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	// The server must be waiting for the push, not gone.
	select {
	case err := <-stopped:
		t.Fatalf("the server stopped with a push in flight: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	r := <-pushed
	if r.err != nil || r.resp.ServerSeq != 1 {
		t.Fatalf("the in-flight push: %v, %v", r.resp, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve after a graceful stop: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	if _, err := server.New(server.Config{}); err == nil {
		t.Fatal("New without a backend succeeded")
	}
	if _, err := server.New(server.Config{Backend: &gate{}, MaxBatchBytes: 1 << 30}); err == nil {
		t.Fatal("New with a batch limit above the envelope's succeeded")
	}
}

func TestRequestWithoutAuth(t *testing.T) {
	h := start(t, options{token: testToken})
	_, err := h.client.Devices(context.Background(), &wire.DevicesRequest{})
	wantCode(t, "Devices without auth", err, codes.Unauthenticated)
}
