package server_test

import (
	"context"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"medisecure/sync/auth"
	"medisecure/sync/server"
	"medisecure/sync/wire"
)

// countingDevices is a backend that counts its device lookups.
type countingDevices struct {
	server.Backend
	n atomic.Int64
}

func (c *countingDevices) Device(ctx context.Context, org, id string) (server.Device, error) {
	c.n.Add(1)
	return c.Backend.Device(ctx, org, id)
}

// TestPushIsProvenOnce pushes a batch: the tap proves the caller from its
// header before the body is read, and the handler takes that proof
// instead of looking the device up and verifying the signature again.
func TestPushIsProvenOnce(t *testing.T) {
	var counter *countingDevices
	h := start(t, options{token: testToken, wrap: func(b server.Backend) server.Backend {
		counter = &countingDevices{Backend: b}
		return counter
	}})
	o := registered(t, h, "org-1")
	raw := o.seal(t, "dev-a", o.changes(t, "dev-a", 2))
	before := counter.n.Load()
	if _, err := o.push(h, "dev-a", raw); err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load() - before; n != 1 {
		t.Fatalf("one push looked its device up %d times, want 1 (the tap's)", n)
	}
}

// TestBodyOtherThanTheHeadersIsRefused sends a genuine push's auth header
// with another body under the same Auth: the header proves the caller,
// but not this body.
func TestBodyOtherThanTheHeadersIsRefused(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1")
	signed := &wire.PushRequest{Envelope: o.seal(t, "dev-a", o.changes(t, "dev-a", 1))}
	o.sign(signed, wire.Sync_Push_FullMethodName, "dev-a")
	header, err := auth.Header(signed)
	if err != nil {
		t.Fatal(err)
	}
	swapped := proto.Clone(signed).(*wire.PushRequest)
	o.seq["dev-a"] = 0
	swapped.Envelope = o.seal(t, "dev-a", o.changes(t, "dev-a", 1))
	ctx := metadata.AppendToOutgoingContext(context.Background(), auth.HeaderKey, string(header))
	_, err = rawConn(t, h).Push(ctx, swapped)
	wantCode(t, "a push whose body is not its header's", err, codes.Unauthenticated)
	if _, err := rawConn(t, h).Push(metadata.AppendToOutgoingContext(context.Background(), auth.HeaderKey, string(header)), signed); err != nil {
		t.Fatalf("the genuine push with its own header: %v", err)
	}
}
