package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"medisecure/core"
	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// benchP9 measures one server taking batches from 1,000 devices at once
// (BENCH_P9_DEVICES): an organisation with that many device keys, each
// pushing BENCH_P9_BATCHES batches of BENCH_P9_CHANGES changes, all
// concurrently over a few shared connections. It reports the aggregate
// changes a second and the number of failed pushes. The devices are
// light — keys and pre-sealed batches, no store — so the figure is the
// server's.
func benchP9(ctx context.Context, c config) (string, error) {
	devices := envInt("BENCH_P9_DEVICES", 1000)
	perDevice := envInt("BENCH_P9_BATCHES", 3)
	perBatch := envInt("BENCH_P9_CHANGES", 200)
	dir := filepath.Join(c.dir, "p9")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	srv, err := startSyncServer(filepath.Join(dir, "syncd.db"))
	if err != nil {
		return "", err
	}
	defer srv.stop()
	conns := make([]*grpc.ClientConn, 8)
	for i := range conns {
		if conns[i], err = grpc.NewClient(srv.addr, append(client.AuthHeaders(), grpc.WithTransportCredentials(insecure.NewCredentials()))...); err != nil {
			return "", err
		}
		defer conns[i].Close()
	}
	f, err := newFleet(ctx, wire.NewSyncClient(conns[0]), devices)
	if err != nil {
		return "", err
	}
	batches, err := f.seal(perDevice, perBatch)
	if err != nil {
		return "", err
	}
	var failed atomic.Int64
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for i := range devices {
		rpc := wire.NewSyncClient(conns[i%len(conns)])
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			for _, env := range batches[i] {
				req := &wire.PushRequest{Envelope: env}
				auth.Sign(req, wire.Sync_Push_FullMethodName, f.org, f.ids[i], f.keys[i], time.Now())
				if _, err := rpc.Push(ctx, req); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	close(begin)
	wg.Wait()
	elapsed := time.Since(start)
	total := devices * perDevice * perBatch
	return fmt.Sprintf("%.0f changes/s %d errors", float64(total)/elapsed.Seconds(), failed.Load()), nil
}

// fleet is an organisation of light devices: keys, no store.
type fleet struct {
	org    string
	orgKey []byte
	ids    []string
	keys   []ed25519.PrivateKey
}

// newFleet registers an organisation with n devices: the first with the
// registration, the others added with records the root key signs.
func newFleet(ctx context.Context, rpc wire.SyncClient, n int) (*fleet, error) {
	_, root, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f := &fleet{org: "fleet-org", orgKey: make([]byte, envelope.KeySize)}
	rand.Read(f.orgKey)
	for i := range n {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		f.ids = append(f.ids, fmt.Sprintf("dev-%04d", i))
		f.keys = append(f.keys, k)
	}
	record := func(i int) (*wire.SignedDevice, error) {
		return auth.SignDevice(&wire.DeviceRecord{OrgId: f.org, DeviceId: f.ids[i], PublicKey: f.keys[i].Public().(ed25519.PublicKey), CreatedUnixMs: time.Now().UnixMilli()}, root, nil)
	}
	first, err := record(0)
	if err != nil {
		return nil, err
	}
	reg := &wire.RegisterRequest{RootPublicKey: root.Public().(ed25519.PublicKey), FirstDevice: first, Epoch: 1, Token: syncToken}
	auth.Sign(reg, wire.Sync_Register_FullMethodName, f.org, f.ids[0], f.keys[0], time.Now())
	if _, err := rpc.Register(ctx, reg); err != nil {
		return nil, fmt.Errorf("registering the fleet: %w", err)
	}
	for i := 1; i < n; i++ {
		sd, err := record(i)
		if err != nil {
			return nil, err
		}
		req := &wire.AddDeviceRequest{Device: sd}
		auth.Sign(req, wire.Sync_AddDevice_FullMethodName, f.org, f.ids[i], f.keys[i], time.Now())
		if _, err := rpc.AddDevice(ctx, req); err != nil {
			return nil, fmt.Errorf("adding device %s: %w", f.ids[i], err)
		}
	}
	return f, nil
}

// seal makes each device's batches: perDevice batches of perBatch patient
// changes, sealed and signed as the device would.
func (f *fleet) seal(perDevice, perBatch int) ([][][]byte, error) {
	out := make([][][]byte, len(f.ids))
	base := fixedNow.UnixMilli()
	for i, id := range f.ids {
		seq := uint64(1)
		for b := range perDevice {
			changes := make([]core.Change, perBatch)
			for j := range changes {
				name, _ := json.Marshal(fmt.Sprintf("%s %s", firstNames[(i+j)%len(firstNames)], lastNames[(b+j)%len(lastNames)]))
				phone, _ := json.Marshal(fmt.Sprintf("+44 20 7946 %04d", (i*perBatch+j)%10000))
				changes[j] = core.Change{
					Kind: core.KindPatient, ID: core.ID(fmt.Sprintf("%08x%016x", i, uint64(b*perBatch+j))),
					Fields: map[string]json.RawMessage{"name": name, "phone": phone, "dob": json.RawMessage(`"1980-01-02"`)},
					Author: "desk", Device: id, Seq: seq, HLC: core.MakeHLC(base, uint16(j)),
				}
				seq++
			}
			batch, err := envelope.Seal(changes, f.orgKey, 1, f.org, id, changes[0].Seq, changes[len(changes)-1].Seq, f.keys[i])
			if err != nil {
				return nil, err
			}
			raw, err := envelope.Marshal(batch)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], raw)
		}
	}
	return out, nil
}
