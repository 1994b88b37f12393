package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// benchP5 measures sync end to end on loopback: changes a first
// workstation makes (BENCH_P5_CHANGES, untimed) reach a second one
// (sealed, pushed, stored, pulled, opened, merged) at so many a second,
// the second pulling while the first pushes. Its limit is a raw gRPC
// bidirectional stream on loopback, 256-byte messages a second
// (BENCH_P5_MESSAGES of them), measured beside it.
func benchP5(ctx context.Context, c config) (string, error) {
	n := envInt("BENCH_P5_CHANGES", 20_000)
	dir := filepath.Join(c.dir, "p5")
	defer os.RemoveAll(dir)
	rate, err := syncRate(ctx, dir, n)
	if err != nil {
		return "", err
	}
	limit, err := rawStreamRate(ctx, envInt("BENCH_P5_MESSAGES", 500_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%.0f changes/s limit %.0f msgs/s", rate, limit), nil
}

// syncRate makes n changes on a first workstation (untimed) and times
// them to a second one.
func syncRate(ctx context.Context, dir string, n int) (float64, error) {
	p, err := newPair(ctx, dir, nil)
	if err != nil {
		return 0, err
	}
	defer p.close()
	if err := fillChanges(p.a, n, fixedNow.AddDate(0, 1, 0)); err != nil {
		return 0, err
	}
	start := time.Now()
	pushed := make(chan error, 1)
	go func() {
		_, err := p.a.client.Push(ctx)
		pushed <- err
	}()
	got := 0
	for got < n {
		rep, err := p.b.client.Pull(ctx)
		if err != nil {
			return 0, err
		}
		got += rep.Changes
		if rep.Batches == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	elapsed := time.Since(start)
	if err := <-pushed; err != nil {
		return 0, err
	}
	return float64(n) / elapsed.Seconds(), nil
}

// rawStreamRate sends n 256-byte messages over one gRPC bidirectional
// stream on loopback, with a codec that passes bytes as they are, and
// returns messages a second.
func rawStreamRate(ctx context.Context, n int) (float64, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	g := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}))
	g.RegisterService(&rawService, struct{}{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		g.Serve(lis)
	}()
	defer func() {
		g.Stop()
		wg.Wait()
	}()
	conn, err := grpc.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	stream, err := conn.NewStream(ctx, &rawService.Streams[0], "/bench.Raw/Stream")
	if err != nil {
		return 0, err
	}
	msg := make([]byte, 256)
	start := time.Now()
	for range n {
		if err := stream.SendMsg(&msg); err != nil {
			return 0, err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return 0, err
	}
	var count []byte
	if err := stream.RecvMsg(&count); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if got := string(count); got != fmt.Sprint(n) {
		return 0, fmt.Errorf("the raw stream's server received %s of %d messages", got, n)
	}
	return float64(n) / elapsed.Seconds(), nil
}

// rawService is a benchmark-only service: one bidirectional stream whose
// server counts the messages it receives and answers with the count.
var rawService = grpc.ServiceDesc{
	ServiceName: "bench.Raw",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName: "Stream", ServerStreams: true, ClientStreams: true,
		Handler: func(_ any, stream grpc.ServerStream) error {
			var msg []byte
			n := 0
			for {
				err := stream.RecvMsg(&msg)
				if err == io.EOF {
					count := []byte(fmt.Sprint(n))
					return stream.SendMsg(&count)
				}
				if err != nil {
					return err
				}
				n++
			}
		},
	}},
}

// rawCodec passes messages (*[]byte) through as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	p := v.(*[]byte)
	*p = append((*p)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "raw" }
