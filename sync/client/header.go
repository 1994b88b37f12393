package client

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// AuthHeaders are the dial options that send every signed request's auth
// header (sync/auth) with the call, so that the server checks who calls
// before it reads the body. Dial includes them; a connection made another
// way needs them to call anything but Register, AddDevice and Take. Each
// call of AuthHeaders makes options for one connection: they remember
// what that connection's server said it takes.
//
// Until the server has said that it reads a request's Auth from the
// header (auth.FeatureKey, on any answer), a call carries the combined
// header and the Auth in its body as well, as every server takes. From
// then on it carries the split header, whose organisation and device
// HTTP/2 compresses to an index, and the body goes without its Auth: a
// signed call costs about 150 bytes less. Register and AddDevice always
// carry their Auth in the body, as a server reads those before their
// caller's device is known. Should the connection reach a server that
// does not take the split header after all (syncd downgraded under a
// running workstation), the call it refuses for want of a header is sent
// again at once in the combined form, and later calls keep to it.
//
// A signed unary call keeps its deadline to itself (localDeadline).
func AuthHeaders() []grpc.DialOption {
	h := &headerAuth{}
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(h.unary),
		grpc.WithChainStreamInterceptor(h.stream),
	}
}

// headerAuth is the auth header state of one connection.
type headerAuth struct {
	// split is set while the server says it takes the split header and
	// an Auth left out of the body.
	split atomic.Bool
}

// signedCall is a call's signed request and its claim.
type signedCall struct {
	req   wire.Request
	claim auth.Claim
}

// signedOf returns req as a signed request and its claim, or false for a
// request that is not signed (or whose Auth is malformed: it goes as it
// is, and the server refuses it).
func signedOf(req any) (signedCall, bool) {
	r, ok := req.(wire.Request)
	if !ok || r.GetAuth() == nil {
		return signedCall{}, false
	}
	c, err := auth.NewClaim(r)
	if err != nil {
		return signedCall{}, false
	}
	return signedCall{req: r, claim: c}, true
}

// bodyAuthOnly are the signed methods whose Auth a server reads from the
// body: their caller's device may not be registered yet, so the server
// cannot check the header before it reads the body.
var bodyAuthOnly = map[string]bool{
	wire.Sync_Register_FullMethodName:  true,
	wire.Sync_AddDevice_FullMethodName: true,
}

// splits reports whether a call of method goes with the split header and
// without the Auth in its body.
func (h *headerAuth) splits(method string, sc signedCall) bool {
	return h.split.Load() && !bodyAuthOnly[method] && sc.claim.Splittable()
}

// combined returns ctx carrying the combined header of sc.
func combined(ctx context.Context, sc signedCall) context.Context {
	return metadata.AppendToOutgoingContext(ctx, auth.HeaderKey, string(sc.claim.Marshal()))
}

// split returns ctx carrying the split header of sc.
func split(ctx context.Context, sc signedCall) context.Context {
	return metadata.AppendToOutgoingContext(ctx,
		auth.ProofKey, string(sc.claim.Proof()),
		auth.OrgKey, sc.claim.Org,
		auth.DeviceKey, sc.claim.Device)
}

// withoutAuth runs send with sc's request stripped of its Auth, which is
// restored when send returns: gRPC encodes a message before SendMsg or
// the unary invoker returns.
func withoutAuth(sc signedCall, send func() error) error {
	a := sc.req.GetAuth()
	sc.req.SetAuth(nil)
	defer sc.req.SetAuth(a)
	return send()
}

// learn notes what a server's answer headers say it takes. An answer
// without headers (a call refused before it was read) says nothing.
func (h *headerAuth) learn(md metadata.MD) {
	if md == nil {
		return
	}
	v := md.Get(auth.FeatureKey)
	h.split.Store(len(v) > 0 && v[0] == auth.FeatureHeaderAuth)
}

// wantsCombined reports whether err is a server's refusal of a call for
// carrying no header it knows: a server from before the split header.
func wantsCombined(err error) bool {
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.Unauthenticated && strings.Contains(s.Message(), "carries no auth header")
}

// localDeadline is a call's context as gRPC sees it: the call still ends
// when ctx's deadline passes (gRPC cancels the stream, which the server
// sees), but gRPC does not announce the deadline in a grpc-timeout header.
// That header differs on every call, so HTTP/2 header compression can
// neither index it nor keep the connection's other headers indexed for
// long; and no server may rely on it, as a caller chooses whether to send
// it (a Pull stream never did).
type localDeadline struct{ context.Context }

func (localDeadline) Deadline() (time.Time, bool) { return time.Time{}, false }

func (h *headerAuth) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	sc, ok := signedOf(req)
	if !ok {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	ctx = localDeadline{ctx}
	var md metadata.MD
	opts = append(opts[:len(opts):len(opts)], grpc.Header(&md))
	if h.splits(method, sc) {
		err := withoutAuth(sc, func() error { return invoker(split(ctx, sc), method, req, reply, cc, opts...) })
		if !wantsCombined(err) {
			h.learn(md)
			return err
		}
		// Nothing of the call was read, its nonce not recorded: the
		// same request goes again in the form that server takes.
		h.split.Store(false)
		md = nil
	}
	err := invoker(combined(ctx, sc), method, req, reply, cc, opts...)
	h.learn(md)
	return err
}

// stream sends the header of a server-streaming call's one request: gRPC
// sends headers when the stream opens, so the stream is opened at the
// first SendMsg, when the request is known.
func (h *headerAuth) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if desc.ClientStreams {
		return streamer(ctx, desc, cc, method, opts...)
	}
	return &lateStream{ctx: ctx, h: h, method: method, open: func(ctx context.Context) (grpc.ClientStream, error) {
		return streamer(ctx, desc, cc, method, opts...)
	}}, nil
}

// errNotOpen is returned by a lateStream used before its request is sent.
var errNotOpen = errors.New("client: stream used before its request was sent")

// lateStream opens its stream when its one request is sent.
type lateStream struct {
	ctx    context.Context
	h      *headerAuth
	method string
	open   func(context.Context) (grpc.ClientStream, error)
	grpc.ClientStream
	// The fields below let a stream that went with the split header to a
	// server that refused it unread go again in the combined form.
	closed, received, splitSent bool
	sc                          signedCall
	req                         any
}

func (s *lateStream) SendMsg(m any) error {
	if s.ClientStream != nil {
		return s.ClientStream.SendMsg(m)
	}
	sc, ok := signedOf(m)
	if !ok {
		return s.openAndSend(s.ctx, m)
	}
	s.sc, s.req = sc, m
	if s.h.splits(s.method, sc) {
		s.splitSent = true
		return withoutAuth(sc, func() error { return s.openAndSend(split(s.ctx, sc), m) })
	}
	return s.openAndSend(combined(s.ctx, sc), m)
}

func (s *lateStream) openAndSend(ctx context.Context, m any) error {
	cs, err := s.open(ctx)
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
	s.closed = true
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
	err := s.ClientStream.RecvMsg(m)
	if err == nil && !s.received {
		s.received = true
		if md, herr := s.ClientStream.Header(); herr == nil {
			s.h.learn(md)
		}
	}
	if err == nil || s.received || !s.splitSent || !wantsCombined(err) {
		return err
	}
	// The server refused the split header unread: open the stream again
	// with the combined one and send the request again.
	s.h.split.Store(false)
	s.splitSent = false
	if err := s.openAndSend(combined(s.ctx, s.sc), s.req); err != nil {
		return err
	}
	if s.closed {
		if err := s.ClientStream.CloseSend(); err != nil {
			return err
		}
	}
	return s.RecvMsg(m)
}
