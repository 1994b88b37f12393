package server_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"medisecure/sync/server"
	"medisecure/sync/wire"
)

// putInvite puts blob under id as device of o, expiring after ttl.
func (o *org) putInvite(h *harness, device string, id, blob []byte, ttl time.Duration) error {
	req := &wire.PutInviteRequest{InviteId: id, Blob: blob, ExpiresUnixMs: time.Now().Add(ttl).UnixMilli()}
	o.sign(req, wire.Invites_Put_FullMethodName, device)
	_, err := wire.NewInvitesClient(h.conn).Put(context.Background(), req)
	return err
}

func takeInvite(h *harness, id []byte) (*wire.TakeInviteResponse, error) {
	return wire.NewInvitesClient(h.conn).Take(context.Background(), &wire.TakeInviteRequest{InviteId: id})
}

func inviteID(n byte) []byte { return bytes.Repeat([]byte{n}, server.InviteIDSize) }

func TestInviteTakenOnce(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	blob := []byte("sealed invitation: Ada Lovelace-Byron's workstation")
	if err := o.putInvite(h, "dev-b", inviteID(1), blob, time.Hour); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := o.putInvite(h, "dev-b", inviteID(1), blob, time.Hour); err != nil {
		t.Fatalf("Put again, as after a lost answer: %v", err)
	}
	wantCode(t, "another blob under the same ID", o.putInvite(h, "dev-a", inviteID(1), []byte("other"), time.Hour), codes.AlreadyExists)

	resp, err := takeInvite(h, inviteID(1))
	if err != nil || !bytes.Equal(resp.Blob, blob) || resp.OrgId != "org-1" || resp.ExpiresUnixMs <= time.Now().UnixMilli() {
		t.Fatalf("Take: %+v, %v", resp, err)
	}
	_, err = takeInvite(h, inviteID(1))
	wantCode(t, "taking it again", err, codes.NotFound)
	_, err = takeInvite(h, inviteID(2))
	wantCode(t, "taking an invitation never put", err, codes.NotFound)

	// The log tells calls apart by a short tag; it never holds the ID
	// (which takes the invitation) or the blob.
	logs := h.logs.String()
	if !strings.Contains(logs, "take_invite") || !strings.Contains(logs, hex.EncodeToString(inviteID(1)[:4])) {
		t.Errorf("the log does not show the calls:\n%s", logs)
	}
	if strings.Contains(logs, hex.EncodeToString(inviteID(1))) || strings.Contains(logs, "Lovelace") {
		t.Errorf("the log holds an invitation ID or its blob:\n%s", logs)
	}
}

func TestInvitePutRefuses(t *testing.T) {
	h := start(t, options{token: testToken})
	o := registered(t, h, "org-1", "dev-b")
	blob := []byte("sealed")
	wantCode(t, "an ID of the wrong size", o.putInvite(h, "dev-a", []byte("short"), blob, time.Hour), codes.InvalidArgument)
	wantCode(t, "an empty blob", o.putInvite(h, "dev-a", inviteID(1), nil, time.Hour), codes.InvalidArgument)
	wantCode(t, "a blob too large", o.putInvite(h, "dev-a", inviteID(1), make([]byte, server.MaxInviteBytes+1), time.Hour), codes.ResourceExhausted)
	wantCode(t, "expired already", o.putInvite(h, "dev-a", inviteID(1), blob, -time.Minute), codes.InvalidArgument)
	wantCode(t, "kept too long", o.putInvite(h, "dev-a", inviteID(1), blob, server.MaxInviteLifetime+time.Hour), codes.InvalidArgument)
	if err := o.putInvite(h, "dev-a", inviteID(1), make([]byte, server.MaxInviteBytes), server.MaxInviteLifetime); err != nil {
		t.Fatalf("a blob at the limit, kept for the longest time: %v", err)
	}

	// Only an authenticated, active device of the organisation puts.
	unsigned := &wire.PutInviteRequest{InviteId: inviteID(2), Blob: blob, ExpiresUnixMs: time.Now().Add(time.Hour).UnixMilli()}
	_, err := wire.NewInvitesClient(h.conn).Put(context.Background(), unsigned)
	wantCode(t, "without auth", err, codes.Unauthenticated)
	req := &wire.PutInviteRequest{InviteId: inviteID(2), Blob: blob, ExpiresUnixMs: time.Now().Add(time.Hour).UnixMilli()}
	o.sign(req, wire.Sync_Push_FullMethodName, "dev-a")
	_, err = wire.NewInvitesClient(h.conn).Put(context.Background(), req)
	wantCode(t, "signed for another method", err, codes.Unauthenticated)
	o.sign(req, wire.Invites_Put_FullMethodName, "dev-a")
	if _, err := wire.NewInvitesClient(h.conn).Put(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_, err = wire.NewInvitesClient(h.conn).Put(context.Background(), req)
	wantCode(t, "a replayed request", err, codes.Unauthenticated)
	if _, err := o.revoke(t, h, "dev-a", "dev-b"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "from a revoked device", o.putInvite(h, "dev-b", inviteID(3), blob, time.Hour), codes.PermissionDenied)
	_, err = takeInvite(h, []byte("short"))
	wantCode(t, "taking with an ID of the wrong size", err, codes.InvalidArgument)
}

func TestInvitesServiceFollowsTheBackend(t *testing.T) {
	h := start(t, options{token: testToken})
	resp, err := healthpb.NewHealthClient(h.conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: wire.Invites_ServiceDesc.ServiceName})
	if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health of the Invites service: %v, %v", resp, err)
	}

	// A backend that keeps no invitations: the service is not offered.
	bare := start(t, options{token: testToken, wrap: func(b server.Backend) server.Backend { return struct{ server.Backend }{b} }})
	_, err = takeInvite(bare, inviteID(1))
	wantCode(t, "Take on a server without invitations", err, codes.Unimplemented)
}
