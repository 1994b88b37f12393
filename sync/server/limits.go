package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"

	"medisecure/sync/auth"
	"medisecure/sync/wire"
)

// Limits bound what callers can make the server spend. Zero fields take
// the defaults below.
//
// gRPC reads a request's whole message before a handler runs, so the
// server decides in its tap (grpc.InTapHandle), on the headers alone,
// whether to read a body at all: a call of a device-signed method must
// carry its auth header (sync/auth) from a registered device whose key
// signed it recently, or it is refused unread. The few methods a caller
// without a registered device may call (Register, a joining device's
// AddDevice, Take, health and reflection) are admitted only a few at a
// time, per peer and in all. Memory per connection is bounded by
// MaxStreams messages of at most the batch limit, and what one peer can
// send unasked by gRPC's fixed flow-control windows.
type Limits struct {
	// MaxStreams caps the concurrent calls on one connection.
	MaxStreams uint32
	// MaxOpenCalls caps the calls without an auth header in flight at
	// once, and MaxOpenCallsPerPeer those from one IP address.
	MaxOpenCalls        int
	MaxOpenCallsPerPeer int
	// FailureBurst is how many failed registrations or authentications
	// an IP address may make before it is refused, and FailureRefill how
	// often it earns one more.
	FailureBurst  int
	FailureRefill time.Duration
}

// Default limits.
const (
	DefaultMaxStreams          = 16
	DefaultMaxOpenCalls        = 32
	DefaultMaxOpenCallsPerPeer = 4
	DefaultFailureBurst        = 20
	DefaultFailureRefill       = time.Second
	// maxHeaderList bounds the headers of one call.
	maxHeaderList = 16 << 10
	// maxPeers bounds how many addresses the failure throttle remembers.
	maxPeers = 1 << 16
)

func (l Limits) withDefaults() Limits {
	if l.MaxStreams == 0 {
		l.MaxStreams = DefaultMaxStreams
	}
	if l.MaxOpenCalls == 0 {
		l.MaxOpenCalls = DefaultMaxOpenCalls
	}
	if l.MaxOpenCallsPerPeer == 0 {
		l.MaxOpenCallsPerPeer = DefaultMaxOpenCallsPerPeer
	}
	if l.FailureBurst == 0 {
		l.FailureBurst = DefaultFailureBurst
	}
	if l.FailureRefill == 0 {
		l.FailureRefill = DefaultFailureRefill
	}
	return l
}

// openMethods are the methods a caller may reach without an auth header.
var openMethods = map[string]bool{
	wire.Sync_Register_FullMethodName:  true,
	wire.Sync_AddDevice_FullMethodName: true,
	wire.Invites_Take_FullMethodName:   true,
}

// ErrThrottled is returned when an address made too many failed attempts
// or too many calls without an auth header at once.
var ErrThrottled = errors.New("server: too many attempts from this address; wait a minute and try again")

// tap decides, on a call's headers alone and before its body is read,
// whether the server reads it.
func (s *Server) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	ip := peerIP(ctx)
	if !s.failures.allow(ip) {
		return nil, status.Error(codes.ResourceExhausted, ErrThrottled.Error())
	}
	if openMethods[info.FullMethodName] || isServiceMethod(info.FullMethodName) {
		release, ok := s.open.acquire(ip)
		if !ok {
			return nil, status.Error(codes.ResourceExhausted, ErrThrottled.Error())
		}
		context.AfterFunc(ctx, release)
		return ctx, nil
	}
	claim, present, err := headerClaim(info.Header)
	if !present {
		s.failures.fail(ip)
		// Clients match these words to tell a server from before the
		// split header (client.AuthHeaders): keep them.
		return nil, status.Error(codes.Unauthenticated, "server: request not authenticated: the call carries no auth header; update the workstation")
	}
	var p *proven
	if gerr := s.guarded(info.FullMethodName, func() error {
		if err == nil {
			p, err = s.checkHeader(ctx, info.FullMethodName, claim)
		}
		return nil
	}); gerr != nil {
		return nil, gerr
	}
	if err != nil {
		s.failures.fail(ip)
		s.log.Warn("refused before reading", "method", info.FullMethodName, "peer", ip, "error", err.Error())
		return nil, toStatus(err)
	}
	return context.WithValue(ctx, provenKey{}, p), nil
}

// proven is what the tap established of a call from its auth header: the
// verified claim and the device whose key signed it. The handler then
// only checks that the body is the one the claim covers.
type proven struct {
	method string
	claim  auth.Claim
	dev    Device
}

// provenKey is the context key of a call's proven header.
type provenKey struct{}

// provenFor returns what the tap proved of a call of method in ctx, or
// nil when no tap ran (a Server used without GRPCServer).
func provenFor(ctx context.Context, method string) *proven {
	p, _ := ctx.Value(provenKey{}).(*proven)
	if p == nil || p.method != method {
		return nil
	}
	return p
}

// headerClaim decodes a call's auth header, in either form (sync/auth):
// the combined one when the call carries it, otherwise the split one. It
// reports whether the call carries an auth header at all, and returns
// ErrUnauthenticated for one that is malformed.
func headerClaim(md metadata.MD) (auth.Claim, bool, error) {
	var c auth.Claim
	var err error
	if v := md.Get(auth.HeaderKey); len(v) > 0 {
		c, err = auth.ParseHeader([]byte(v[0]))
	} else {
		proof, org, dev := md.Get(auth.ProofKey), md.Get(auth.OrgKey), md.Get(auth.DeviceKey)
		switch {
		case len(proof) == 0:
			return auth.Claim{}, false, nil
		case len(proof) != 1 || len(org) != 1 || len(dev) != 1:
			err = fmt.Errorf("%w: the auth header's proof, organisation and device must each come once", auth.ErrMalformed)
		default:
			c, err = auth.ParseSplit([]byte(proof[0]), org[0], dev[0])
		}
	}
	if err != nil {
		return auth.Claim{}, true, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return c, true, nil
}

// checkHeader checks a call's auth header: well formed, recent, from a
// registered device of a registered organisation whose key signed it.
func (s *Server) checkHeader(ctx context.Context, method string, c auth.Claim) (*proven, error) {
	if err := checkID("organisation", c.Org); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	if err := checkID("device", c.Device); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	if skew := s.now().Sub(time.UnixMilli(c.UnixMs)); skew > MaxClockSkew || skew < -MaxClockSkew {
		return nil, fmt.Errorf("%w: the request's time is %s off the server's clock (at most %s); check the workstation's clock",
			ErrUnauthenticated, skew.Abs().Round(time.Second), MaxClockSkew)
	}
	dev, err := s.backend.Device(ctx, c.Org, c.Device)
	switch {
	case err == nil:
	case isUnknown(err):
		return nil, fmt.Errorf("%w: device %s of organisation %s is not registered", ErrUnauthenticated, c.Device, c.Org)
	default:
		return nil, err
	}
	if err := c.Verify(method, dev.PublicKey); err != nil {
		return nil, fmt.Errorf("%w: the request is not signed by device %s's key", ErrUnauthenticated, c.Device)
	}
	return &proven{method: method, claim: c, dev: dev}, nil
}

// isServiceMethod reports whether method is one of health's or
// reflection's, which serve no data.
func isServiceMethod(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.") || strings.HasPrefix(method, "/grpc.reflection.")
}

// isUnknown reports whether err says an organisation or device is not
// registered.
func isUnknown(err error) bool {
	return errors.Is(err, ErrUnknownOrg) || errors.Is(err, ErrUnknownDevice)
}

// peerIP is the IP address of ctx's caller, or "" when unknown.
func peerIP(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(p.Addr.String())
	if err != nil {
		return p.Addr.String()
	}
	return host
}

// countFailure spends a failure of the caller of ctx when err, a call's
// result, says it failed to authenticate or register.
func (s *Server) countFailure(ctx context.Context, method string, err error) {
	switch code := status.Code(err); {
	case code == codes.Unauthenticated,
		code == codes.PermissionDenied && method == wire.Sync_Register_FullMethodName:
		s.failures.fail(peerIP(ctx))
	}
}

// throttleUnary is the unary interceptor that counts failed calls.
func (s *Server) throttleUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	s.countFailure(ctx, info.FullMethod, err)
	return resp, err
}

// throttleStream is the stream interceptor that counts failed calls.
func (s *Server) throttleStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	s.countFailure(ss.Context(), info.FullMethod, err)
	return err
}

// admission counts the calls without an auth header in flight, per peer
// and in all.
type admission struct {
	mu           sync.Mutex
	total, limit int
	perPeer      map[string]int
	limitPerPeer int
}

func newAdmission(l Limits) *admission {
	return &admission{limit: l.MaxOpenCalls, limitPerPeer: l.MaxOpenCallsPerPeer, perPeer: map[string]int{}}
}

// acquire admits one call from ip, returning the function that ends it,
// or false when a limit is reached.
func (a *admission) acquire(ip string) (func(), bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.total >= a.limit || a.perPeer[ip] >= a.limitPerPeer {
		return nil, false
	}
	a.total++
	a.perPeer[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.total--
			if a.perPeer[ip]--; a.perPeer[ip] == 0 {
				delete(a.perPeer, ip)
			}
		})
	}, true
}

// throttle is a token bucket per IP address, spent by failed
// registrations and authentications: an address that fails too often is
// refused before the server checks anything it sends.
type throttle struct {
	mu     sync.Mutex
	now    func() time.Time
	burst  float64
	refill time.Duration
	peers  map[string]*bucket
}

// bucket is one address's tokens as of a time.
type bucket struct {
	tokens float64
	at     time.Time
}

func newThrottle(l Limits, now func() time.Time) *throttle {
	return &throttle{now: now, burst: float64(l.FailureBurst), refill: l.FailureRefill, peers: map[string]*bucket{}}
}

// level returns ip's bucket refilled to now; the caller holds t.mu.
func (t *throttle) level(ip string, now time.Time) *bucket {
	b, ok := t.peers[ip]
	if !ok {
		if len(t.peers) >= maxPeers {
			t.forgetFull(now)
		}
		b = &bucket{tokens: t.burst, at: now}
		t.peers[ip] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(t.burst, b.tokens+float64(d)/float64(t.refill))
		b.at = now
	}
	return b
}

// forgetFull drops the addresses whose buckets have refilled; the caller
// holds t.mu.
func (t *throttle) forgetFull(now time.Time) {
	for ip, b := range t.peers {
		if b.tokens+float64(now.Sub(b.at))/float64(t.refill) >= t.burst {
			delete(t.peers, ip)
		}
	}
}

// allow reports whether ip has a failure left to spend.
func (t *throttle) allow(ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.level(ip, t.now()).tokens >= 1
}

// fail spends one of ip's failures.
func (t *throttle) fail(ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.level(ip, t.now())
	b.tokens = max(0, b.tokens-1)
}
