package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"medisecure/core"
	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/envelope"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/wire"
)

const testToken = "operator-secret-token"

// Plaintext the tests put into changes; none of it may reach the server's
// file or logs.
var secrets = []string{"Ada Lovelace-Byron", "+44 20 7946 0018", "suspected hyperthyroidism"}

// harness is a real server on 127.0.0.1:0 over a bbolt file in a temporary
// directory, and a client connected to it.
type harness struct {
	client wire.SyncClient
	conn   *grpc.ClientConn
	store  *boltstore.Store
	path   string
	logs   *syncBuffer
	stop   func() error
	// addr is where the server listens.
	addr string
}

// options changes a harness's server configuration.
type options struct {
	token    string
	maxBatch int
	wrap     func(server.Backend) server.Backend
	// path is an existing data file to serve; empty means a new one.
	path string
	// now is the server's clock; nil means time.Now.
	now    func() time.Time
	limits server.Limits
	// grpc adds server options (a stats handler, say).
	grpc []grpc.ServerOption
}

func start(t *testing.T, opts options) *harness {
	t.Helper()
	path := opts.path
	if path == "" {
		path = filepath.Join(t.TempDir(), "syncd.db")
	}
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var backend server.Backend = st
	if opts.wrap != nil {
		backend = opts.wrap(st)
	}
	logs := &syncBuffer{}
	srv, err := server.New(server.Config{
		Backend:       backend,
		RegisterToken: opts.token,
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
		MaxBatchBytes: opts.maxBatch,
		ShutdownGrace: 5 * time.Second,
		Now:           opts.now,
		Limits:        opts.limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, opts.grpc...) }()
	conn, err := grpc.NewClient(lis.Addr().String(), append(client.AuthHeaders(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(16<<20)))...)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{client: wire.NewSyncClient(conn), conn: conn, store: st, path: path, logs: logs, addr: lis.Addr().String()}
	var once sync.Once
	var stopErr error
	h.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-served
			conn.Close()
			st.Close()
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return h
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// org is a registered organisation as its workstations know it: the root
// key, an admin certified by it, the org keys by epoch and device keys.
type org struct {
	id      string
	root    ed25519.PrivateKey
	admin   ed25519.PrivateKey
	cert    *wire.AdminCert
	orgKeys map[uint32][]byte
	epoch   uint32
	devices map[string]ed25519.PrivateKey
	seq     map[string]uint64
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, envelope.KeySize)
	rand.Read(k)
	return k
}

// newOrg makes an organisation's keys and its first device dev-a, not yet
// registered.
func newOrg(t *testing.T, id string) *org {
	t.Helper()
	o := &org{
		id: id, root: newKey(t), admin: newKey(t), epoch: 1,
		orgKeys: map[uint32][]byte{1: randomKey(t)},
		devices: map[string]ed25519.PrivateKey{"dev-a": newKey(t)},
		seq:     map[string]uint64{},
	}
	var err error
	if o.cert, err = auth.CertifyAdmin(id, "alice", pub(o.admin), time.Time{}, o.root); err != nil {
		t.Fatal(err)
	}
	return o
}

// record is a device record of o, signed by signer (nil cert: the root).
func (o *org) record(t *testing.T, device string, key ed25519.PrivateKey, signer ed25519.PrivateKey, cert *wire.AdminCert) *wire.SignedDevice {
	t.Helper()
	sd, err := auth.SignDevice(&wire.DeviceRecord{OrgId: o.id, DeviceId: device, PublicKey: pub(key), CreatedUnixMs: time.Now().UnixMilli()}, signer, cert)
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

// registerRequest is o's registration with token, signed by dev-a.
func (o *org) registerRequest(t *testing.T, token string) *wire.RegisterRequest {
	t.Helper()
	req := &wire.RegisterRequest{
		RootPublicKey: pub(o.root),
		FirstDevice:   o.record(t, "dev-a", o.devices["dev-a"], o.root, nil),
		Epoch:         o.epoch,
		Token:         token,
	}
	auth.Sign(req, wire.Sync_Register_FullMethodName, o.id, "dev-a", o.devices["dev-a"], time.Now())
	return req
}

// registered makes and registers an organisation with devices dev-a and,
// added by its admin, every one of more.
func registered(t *testing.T, h *harness, id string, more ...string) *org {
	t.Helper()
	o := newOrg(t, id)
	if _, err := h.client.Register(context.Background(), o.registerRequest(t, testToken)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	for _, d := range more {
		o.devices[d] = newKey(t)
		req := &wire.AddDeviceRequest{Device: o.record(t, d, o.devices[d], o.admin, o.cert)}
		o.sign(req, wire.Sync_AddDevice_FullMethodName, "dev-a")
		if _, err := h.client.AddDevice(context.Background(), req); err != nil {
			t.Fatalf("AddDevice %s: %v", d, err)
		}
	}
	return o
}

// sign signs req as device of o, now.
func (o *org) sign(req wire.Request, method, device string) {
	auth.Sign(req, method, o.id, device, o.devices[device], time.Now())
}

// changes makes n changes of device holding the test's secrets, with the
// device's next sequence numbers.
func (o *org) changes(t *testing.T, device string, n int) []core.Change {
	t.Helper()
	out := make([]core.Change, n)
	for i := range out {
		o.seq[device]++
		id, err := core.NewID(time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]json.RawMessage{}
		for j, s := range secrets {
			fields[fmt.Sprintf("f%d", j)], _ = json.Marshal(s)
		}
		out[i] = core.Change{
			Kind: core.KindPatient, ID: id, Fields: fields, Author: "reception",
			Device: device, Seq: o.seq[device], HLC: core.MakeHLC(time.Now().UnixMilli(), uint16(i)),
		}
	}
	return out
}

// seal seals changes as device under o's current epoch and returns the
// envelope bytes.
func (o *org) seal(t *testing.T, device string, changes []core.Change) []byte {
	t.Helper()
	return o.sealAt(t, device, changes, o.epoch)
}

func (o *org) sealAt(t *testing.T, device string, changes []core.Change, epoch uint32) []byte {
	t.Helper()
	b, err := envelope.Seal(changes, o.orgKeys[epoch], epoch, o.id, device,
		changes[0].Seq, changes[len(changes)-1].Seq, o.devices[device])
	if err != nil {
		t.Fatal(err)
	}
	raw, err := envelope.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// push pushes envelope bytes as device.
func (o *org) push(h *harness, device string, raw []byte) (*wire.PushResponse, error) {
	req := &wire.PushRequest{Envelope: raw}
	o.sign(req, wire.Sync_Push_FullMethodName, device)
	return h.client.Push(context.Background(), req)
}

// pull pulls as device after a cursor with a limit.
func (o *org) pull(h *harness, device string, after uint64, limit uint32) ([]*wire.PullItem, error) {
	req := &wire.PullRequest{After: after, Limit: limit}
	o.sign(req, wire.Sync_Pull_FullMethodName, device)
	stream, err := h.client.Pull(context.Background(), req)
	if err != nil {
		return nil, err
	}
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

// revoke revokes device, signed by o's admin, moving to a new epoch with a
// new org key, and returns the server's minimum epoch.
func (o *org) revoke(t *testing.T, h *harness, caller, device string) (uint32, error) {
	t.Helper()
	next := o.epoch + 1
	sr, err := auth.SignRevocation(&wire.Revocation{OrgId: o.id, DeviceId: device, NewEpoch: next}, o.admin, o.cert)
	if err != nil {
		t.Fatal(err)
	}
	req := &wire.RevokeDeviceRequest{Revocation: sr}
	o.sign(req, wire.Sync_RevokeDevice_FullMethodName, caller)
	resp, err := h.client.RevokeDevice(context.Background(), req)
	if err != nil {
		return 0, err
	}
	o.epoch = next
	o.orgKeys[next] = randomKey(t)
	return resp.MinEpoch, nil
}

// open is what a pulling client does with an item: find the pushing
// device's key through Devices, verify and open.
func (o *org) open(t *testing.T, h *harness, caller string, item *wire.PullItem) ([]core.Change, error) {
	t.Helper()
	b, err := envelope.Unmarshal(item.Envelope)
	if err != nil {
		return nil, err
	}
	req := &wire.DevicesRequest{}
	o.sign(req, wire.Sync_Devices_FullMethodName, caller)
	resp, err := h.client.Devices(context.Background(), req)
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	for _, d := range resp.Devices {
		if d.Record.Record.DeviceId != b.Device {
			continue
		}
		if _, err := auth.VerifyDevice(d.Record, pub(o.root), time.Now()); err != nil {
			t.Fatalf("the server's record of %s does not verify: %v", b.Device, err)
		}
		keys := func(e uint32) ([]byte, bool) { k, ok := o.orgKeys[e]; return k, ok }
		return envelope.Open(b, keys, d.Record.Record.PublicKey)
	}
	t.Fatalf("Devices does not list %s", b.Device)
	return nil, nil
}

// wantCode fails the test unless err is a gRPC status with code.
func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("%s: got %v, want code %s", what, err, code)
	}
}
