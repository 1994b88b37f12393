package sim

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/grpc"

	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

var trace = flag.Bool("calls", false, "log every call of a replayed seed (with -seed) to the steps")

// tracing is set when the seed's calls are logged.
func (w *world) tracing() bool { return *trace && *only != 0 }

// traceOptions are the dial options that log station's calls to the
// steps when tracing.
func (w *world) traceOptions(name string) []grpc.DialOption {
	if !w.tracing() {
		return nil
	}
	unary := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		w.note("  %s %s %s -> %s err=%v", name, short(method), describe(req), describe(reply), err)
		return err
	}
	stream := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			w.note("  %s %s open err=%v", name, short(method), err)
			return s, err
		}
		return &tracedStream{ClientStream: s, w: w, name: name, method: short(method)}, nil
	}
	return []grpc.DialOption{grpc.WithUnaryInterceptor(unary), grpc.WithStreamInterceptor(stream)}
}

type tracedStream struct {
	grpc.ClientStream
	w      *world
	name   string
	method string
}

func (s *tracedStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	s.w.note("  %s %s %s err=%v", s.name, s.method, describe(m), err)
	return err
}

func (s *tracedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.w.note("  %s %s end: %v", s.name, s.method, err)
	} else {
		s.w.note("  %s %s item %s", s.name, s.method, describe(m))
	}
	return err
}

func short(method string) string { return method[strings.LastIndex(method, "/")+1:] }

func batchOf(raw []byte) string {
	if len(raw) == 0 {
		return "(own)"
	}
	b, err := envelope.Unmarshal(raw)
	if err != nil {
		return "(bad)"
	}
	return fmt.Sprintf("%s/%d..%d", b.Device, b.First, b.Last)
}

func viewOf(v *wire.DevicesResponse) string {
	if v == nil {
		return "<nil>"
	}
	var devs []string
	for _, d := range v.Devices {
		id := d.DeviceId
		if id == "" {
			id = d.GetRecord().GetRecord().GetDeviceId()
		}
		devs = append(devs, fmt.Sprintf("%s:%d", id, d.LastSeq))
	}
	sort.Strings(devs)
	return fmt.Sprintf("head=%d missing=%d [%s]", v.Head, v.Missing, strings.Join(devs, " "))
}

func describe(m any) string {
	switch m := m.(type) {
	case *wire.PushRequest:
		return fmt.Sprintf("{%s resupply=%v view=%v}", batchOf(m.Envelope), m.Resupply, m.View)
	case *wire.PushResponse:
		return fmt.Sprintf("{seq=%d dup=%v %d..%d later=%v view=%s}", m.ServerSeq, m.Duplicate, m.FirstSeq, m.LastSeq, m.Later, viewOf(m.View))
	case *wire.DevicesResponse:
		return viewOf(m)
	case *wire.PullRequest:
		return fmt.Sprintf("{after=%d omit_own=%v}", m.After, m.OmitOwn)
	case *wire.PullItem:
		return fmt.Sprintf("%d %s", m.ServerSeq, batchOf(m.Envelope))
	}
	return ""
}
