package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"medisecure/sync/auth"
	"medisecure/sync/client"
	"medisecure/sync/envelope"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
	"medisecure/sync/server/pgstore"
	"medisecure/sync/server/pgstore/pgtest"
	"medisecure/sync/wire"
)

// benchP11 runs the P9 workload, BENCH_P9_DEVICES devices (10,000 by
// default) each pushing BENCH_P9_BATCHES batches of BENCH_P9_CHANGES
// changes all at once, against a server on PostgreSQL and, in the same
// run with the same sealed batches, against one on bbolt: the limit. The
// database is the one MEDISECURE_PG_DSN names (make bench starts a
// throwaway cluster when PostgreSQL is installed), in a schema of the
// run's own, dropped after.
func benchP11(ctx context.Context, c config) (string, error) {
	base := os.Getenv(pgtest.EnvDSN)
	if base == "" {
		return "n/a no PostgreSQL: " + pgtest.EnvDSN + " is not set (make bench starts a throwaway cluster when PostgreSQL's server is installed: apt-get install -y postgresql)", nil
	}
	devices := envInt("BENCH_P9_DEVICES", 10_000)
	perDevice := envInt("BENCH_P9_BATCHES", 3)
	perBatch := envInt("BENCH_P9_CHANGES", 200)
	dsn, drop, err := pgtest.NewSchema(ctx, base)
	if err != nil {
		return fmt.Sprintf("n/a PostgreSQL not reachable through %s: %v", pgtest.EnvDSN, err), nil
	}
	defer drop()
	dir := filepath.Join(c.dir, "p11")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)

	f, root, err := makeFleet(devices)
	if err != nil {
		return "", err
	}
	batches, err := f.seal(perDevice, perBatch)
	if err != nil {
		return "", err
	}
	bolt, err := boltstore.Open(filepath.Join(dir, "syncd.db"))
	if err != nil {
		return "", err
	}
	limit, err := fleetRate(ctx, bolt, f, root, batches, perBatch, 0)
	if err != nil {
		return "", fmt.Errorf("on bbolt: %w", err)
	}
	pg, err := pgstore.Open(ctx, dsn)
	if err != nil {
		return "", err
	}
	r, err := fleetRate(ctx, pg, f, root, batches, perBatch, 0)
	if err != nil {
		return "", fmt.Errorf("on PostgreSQL: %w", err)
	}
	return fmt.Sprintf("%.0f changes/s limit %.0f changes/s (bbolt, same run) %d errors, %d on bbolt; %.2f× bbolt; %d devices × %d batches × %d changes",
		r.rate, limit.rate, r.failed, limit.failed, r.rate/limit.rate, devices, perDevice, perBatch), nil
}

// makeFleet makes n light devices of one organisation and its root key.
func makeFleet(n int) (*fleet, ed25519.PrivateKey, error) {
	_, root, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	f := &fleet{org: "fleet-org", orgKey: make([]byte, envelope.KeySize)}
	rand.Read(f.orgKey)
	for i := range n {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		f.ids = append(f.ids, fmt.Sprintf("dev-%05d", i))
		f.keys = append(f.keys, k)
	}
	return f, root, nil
}

// fleetResult is what fleetRate measured.
type fleetResult struct {
	// rate is the aggregate changes a second with every device pushing
	// at once, failed the pushes that failed then.
	rate   float64
	failed int64
	// p99 is the 99th percentile push acknowledgement in the paced
	// phase, paced the changes a second the server kept in it, and
	// pacedFailed its failed pushes.
	p99         time.Duration
	paced       float64
	pacedFailed int64
}

// fleetRate serves backend (closing it after), registers the fleet on it
// and times every device pushing its batches at once, the aggregate
// changes a second and the failed pushes. When pace is above 0, each
// device's last batch is left out of that and pushed after it, the
// devices' pushes spread evenly over the time pace changes a second
// take: each push's acknowledgement is timed from its appointed start.
func fleetRate(ctx context.Context, backend interface {
	server.Backend
	Close() error
}, f *fleet, root ed25519.PrivateKey, batches [][][]byte, perBatch int, pace float64) (fleetResult, error) {
	var r fleetResult
	addr, stop, err := serveBench(backend)
	if err != nil {
		return r, err
	}
	defer stop()
	conns := make([]*grpc.ClientConn, 8)
	for i := range conns {
		if conns[i], err = grpc.NewClient(addr, append(client.AuthHeaders(), grpc.WithTransportCredentials(insecure.NewCredentials()))...); err != nil {
			return r, err
		}
		defer conns[i].Close()
	}
	if err := registerFleet(ctx, conns, f, root); err != nil {
		return r, err
	}
	push := func(i int, env []byte) error {
		req := &wire.PushRequest{Envelope: env}
		auth.Sign(req, wire.Sync_Push_FullMethodName, f.org, f.ids[i], f.keys[i], time.Now())
		_, err := wire.NewSyncClient(conns[i%len(conns)]).Push(ctx, req)
		return err
	}
	saturated := batches
	if pace > 0 {
		saturated = make([][][]byte, len(batches))
		for i, b := range batches {
			saturated[i] = b[:len(b)-1]
		}
	}
	var (
		failed  atomic.Int64
		wg      sync.WaitGroup
		changes int
	)
	begin := make(chan struct{})
	for i := range f.ids {
		changes += len(saturated[i]) * perBatch
		wg.Go(func() {
			<-begin
			for _, env := range saturated[i] {
				if push(i, env) != nil {
					failed.Add(1)
				}
			}
		})
	}
	start := time.Now()
	close(begin)
	wg.Wait()
	r.rate, r.failed = float64(changes)/time.Since(start).Seconds(), failed.Load()
	if pace <= 0 {
		return r, nil
	}
	n := len(f.ids)
	window := time.Duration(float64(n*perBatch) / pace * float64(time.Second))
	lat := make([]time.Duration, n)
	failed.Store(0)
	start = time.Now()
	for i := range f.ids {
		at := start.Add(window * time.Duration(i) / time.Duration(n))
		wg.Go(func() {
			time.Sleep(time.Until(at))
			if push(i, batches[i][len(batches[i])-1]) != nil {
				failed.Add(1)
			}
			lat[i] = time.Since(at)
		})
	}
	wg.Wait()
	r.paced, r.pacedFailed = float64(n*perBatch)/time.Since(start).Seconds(), failed.Load()
	slices.Sort(lat)
	r.p99 = lat[min(n-1, n*99/100)]
	return r, nil
}

// registerFleet registers the fleet's organisation with its first device
// and adds the others, each joining with a record the root key signed,
// a few at a time.
func registerFleet(ctx context.Context, conns []*grpc.ClientConn, f *fleet, root ed25519.PrivateKey) error {
	record := func(i int) (*wire.SignedDevice, error) {
		return auth.SignDevice(&wire.DeviceRecord{OrgId: f.org, DeviceId: f.ids[i], PublicKey: f.keys[i].Public().(ed25519.PublicKey), CreatedUnixMs: time.Now().UnixMilli()}, root, nil)
	}
	first, err := record(0)
	if err != nil {
		return err
	}
	reg := &wire.RegisterRequest{RootPublicKey: root.Public().(ed25519.PublicKey), FirstDevice: first, Epoch: 1, Token: syncToken}
	auth.Sign(reg, wire.Sync_Register_FullMethodName, f.org, f.ids[0], f.keys[0], time.Now())
	if _, err := wire.NewSyncClient(conns[0]).Register(ctx, reg); err != nil {
		return fmt.Errorf("registering the fleet: %w", err)
	}
	next := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	// Joining calls carry no auth header: the server admits a few per
	// address at once (server.DefaultMaxOpenCallsPerPeer).
	for w := range server.DefaultMaxOpenCallsPerPeer - 1 {
		rpc := wire.NewSyncClient(conns[w%len(conns)])
		wg.Go(func() {
			for i := range next {
				sd, err := record(i)
				for try := 0; err == nil; try++ {
					req := &wire.AddDeviceRequest{Device: sd}
					auth.Sign(req, wire.Sync_AddDevice_FullMethodName, f.org, f.ids[i], f.keys[i], time.Now())
					_, err = rpc.AddDevice(ctx, req)
					if status.Code(err) != codes.ResourceExhausted || try == 100 {
						break
					}
					// The previous call's admission is released just
					// after its answer.
					time.Sleep(time.Millisecond)
				}
				if err != nil {
					select {
					case errs <- fmt.Errorf("adding device %s: %w", f.ids[i], err):
					default:
					}
				}
			}
		})
	}
	for i := 1; i < len(f.ids); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// serveBench serves backend on 127.0.0.1 and returns its address and the
// function that stops the server and closes the backend.
func serveBench(backend interface {
	server.Backend
	Close() error
}) (string, func(), error) {
	srv, err := server.New(server.Config{
		Backend: backend, RegisterToken: syncToken, ShutdownGrace: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		backend.Close()
		return "", nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		backend.Close()
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		srv.Serve(ctx, lis)
		backend.Close()
		close(done)
	}()
	return lis.Addr().String(), func() { cancel(); <-done }, nil
}
