package server_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

func TestRegister(t *testing.T) {
	h := start(t, options{token: testToken})
	ctx := context.Background()

	o := newOrg(t, "org-1")
	_, err := h.client.Register(ctx, o.registerRequest(t, "wrong-token"))
	wantCode(t, "wrong token", err, codes.PermissionDenied)
	_, err = h.client.Register(ctx, o.registerRequest(t, ""))
	wantCode(t, "no token", err, codes.PermissionDenied)
	if _, err := h.client.Register(ctx, o.registerRequest(t, testToken)); err != nil {
		t.Fatalf("right token: %v", err)
	}
	// A retry of the same registration (a lost answer) succeeds.
	if _, err := h.client.Register(ctx, o.registerRequest(t, testToken)); err != nil {
		t.Fatalf("repeating the same registration: %v", err)
	}
	// Anyone else registering the same organisation is refused.
	intruder := newOrg(t, "org-1")
	_, err = h.client.Register(ctx, intruder.registerRequest(t, testToken))
	wantCode(t, "second registration", err, codes.AlreadyExists)

	req := &wire.DevicesRequest{}
	o.sign(req, wire.Sync_Devices_FullMethodName, "dev-a")
	resp, err := h.client.Devices(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Devices) != 1 || string(resp.Devices[0].Record.Record.PublicKey) != string(pub(o.devices["dev-a"])) || resp.MinEpoch != 1 {
		t.Fatalf("after registration the server lists %v, min epoch %d", resp.Devices, resp.MinEpoch)
	}
}

func TestRegisterRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		alter func(t *testing.T, o *org, r *wire.RegisterRequest)
		code  codes.Code
	}{
		{"first device not signed by the root", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			r.FirstDevice = o.record(t, "dev-a", o.devices["dev-a"], o.devices["dev-a"], nil)
			o.sign(r, wire.Sync_Register_FullMethodName, "dev-a")
		}, codes.PermissionDenied},
		{"request not signed by the first device", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			auth.Sign(r, wire.Sync_Register_FullMethodName, o.id, "dev-a", newKey(t), time.Now())
		}, codes.Unauthenticated},
		{"signed by another device than the first", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			o.devices["dev-b"] = newKey(t)
			r.FirstDevice = o.record(t, "dev-b", o.devices["dev-b"], o.root, nil)
			o.sign(r, wire.Sync_Register_FullMethodName, "dev-a")
		}, codes.InvalidArgument},
		{"record of another organisation", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			auth.Sign(r, wire.Sync_Register_FullMethodName, "org-2", "dev-a", o.devices["dev-a"], time.Now())
		}, codes.InvalidArgument},
		{"short root key", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			r.RootPublicKey = r.RootPublicKey[:8]
			o.sign(r, wire.Sync_Register_FullMethodName, "dev-a")
		}, codes.InvalidArgument},
		{"epoch 0", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			r.Epoch = 0
			o.sign(r, wire.Sync_Register_FullMethodName, "dev-a")
		}, codes.InvalidArgument},
		{"stale time", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			auth.Sign(r, wire.Sync_Register_FullMethodName, o.id, "dev-a", o.devices["dev-a"], time.Now().Add(-time.Hour))
		}, codes.Unauthenticated},
		{"malformed organisation ID", func(t *testing.T, o *org, r *wire.RegisterRequest) {
			auth.Sign(r, wire.Sync_Register_FullMethodName, "org 1/../x", "dev-a", o.devices["dev-a"], time.Now())
		}, codes.Unauthenticated},
	}
	h := start(t, options{token: testToken})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, "org-1")
			req := o.registerRequest(t, testToken)
			tt.alter(t, o, req)
			_, err := h.client.Register(ctx, req)
			wantCode(t, "Register", err, tt.code)
		})
	}
	t.Run("registration closed", func(t *testing.T) {
		closed := start(t, options{})
		_, err := closed.client.Register(ctx, newOrg(t, "org-1").registerRequest(t, ""))
		wantCode(t, "Register without a server token", err, codes.PermissionDenied)
	})
}
