package client

import (
	"context"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// AuthHeaders are the dial options that send every signed request's auth
// header (auth.Header) with the call, so that the server checks who calls
// before it reads the body. Dial includes them; a connection made another
// way needs them to call anything but Register, AddDevice and Take.
func AuthHeaders() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(headerUnary),
		grpc.WithChainStreamInterceptor(headerStream),
	}
}

// withHeader returns ctx carrying req's auth header, or ctx as it is for a
// request that is not signed.
func withHeader(ctx context.Context, req any) context.Context {
	r, ok := req.(wire.Request)
	if !ok || r.GetAuth() == nil {
		return ctx
	}
	h, err := auth.Header(r)
	if err != nil {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, auth.HeaderKey, string(h))
}

func headerUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(withHeader(ctx, req), method, req, reply, cc, opts...)
}

// headerStream sends the header of a server-streaming call's one request:
// gRPC sends headers when the stream opens, so the stream is opened at the
// first SendMsg, when the request is known.
func headerStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if desc.ClientStreams {
		return streamer(ctx, desc, cc, method, opts...)
	}
	return &lateStream{ctx: ctx, open: func(ctx context.Context) (grpc.ClientStream, error) {
		return streamer(ctx, desc, cc, method, opts...)
	}}, nil
}

// errNotOpen is returned by a lateStream used before its request is sent.
var errNotOpen = errors.New("client: stream used before its request was sent")

// lateStream opens its stream when its one request is sent.
type lateStream struct {
	ctx  context.Context
	open func(context.Context) (grpc.ClientStream, error)
	grpc.ClientStream
}

func (s *lateStream) SendMsg(m any) error {
	if s.ClientStream != nil {
		return s.ClientStream.SendMsg(m)
	}
	cs, err := s.open(withHeader(s.ctx, m))
	if err != nil {
		return err
	}
	s.ClientStream = cs
	return cs.SendMsg(m)
}

func (s *lateStream) Header() (metadata.MD, error) {
	if s.ClientStream == nil {
		return nil, errNotOpen
	}
	return s.ClientStream.Header()
}

func (s *lateStream) Trailer() metadata.MD {
	if s.ClientStream == nil {
		return nil
	}
	return s.ClientStream.Trailer()
}

func (s *lateStream) CloseSend() error {
	if s.ClientStream == nil {
		return errNotOpen
	}
	return s.ClientStream.CloseSend()
}

func (s *lateStream) Context() context.Context {
	if s.ClientStream == nil {
		return s.ctx
	}
	return s.ClientStream.Context()
}

func (s *lateStream) RecvMsg(m any) error {
	if s.ClientStream == nil {
		return errNotOpen
	}
	return s.ClientStream.RecvMsg(m)
}
