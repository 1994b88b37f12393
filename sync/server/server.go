package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"medisecure/sync/envelope"
	"medisecure/sync/wire"
)

// Limits and defaults of the server.
const (
	// MaxClockSkew is how far a request's time may be from the server's.
	MaxClockSkew = 5 * time.Minute
	// DefaultMaxBatchBytes is the default limit of one pushed batch.
	DefaultMaxBatchBytes = envelope.MaxSize
	// DefaultPullLimit is how many batches a Pull sends when the client
	// names no limit; MaxPullLimit caps what it may name.
	DefaultPullLimit = 500
	MaxPullLimit     = 5000
	// DefaultShutdownGrace is how long Serve waits for in-flight calls
	// after its context ends before it cuts them.
	DefaultShutdownGrace = 30 * time.Second
	// messageOverhead is room for a request's fields around its batch.
	messageOverhead = 64 << 10
	// pullPage is how many batches a Pull reads from the backend at once.
	pullPage = 32
)

// Config is what a Server needs. Backend is required; the rest have
// defaults.
type Config struct {
	Backend Backend
	// RegisterToken is the operator's secret a client must present to
	// register an organisation; empty closes registration.
	RegisterToken string
	// Logger receives one structured line per call; nil discards them.
	Logger *slog.Logger
	// Now is the clock; tests inject one.
	Now func() time.Time
	// MaxBatchBytes limits a pushed batch; 0 means DefaultMaxBatchBytes.
	// It cannot exceed envelope.MaxSize.
	MaxBatchBytes int
	// ShutdownGrace bounds a graceful stop; 0 means DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// Limits bound what callers can make the server spend.
	Limits Limits
}

// Server implements the Sync service over a Backend.
type Server struct {
	wire.UnimplementedSyncServer

	backend  Backend
	token    []byte // SHA-256 of the registration token, nil when closed
	log      *slog.Logger
	now      func() time.Time
	maxBatch int
	grace    time.Duration
	health   *health.Server
	limits   Limits
	failures *throttle
	open     *admission
}

// New returns a Server for cfg, or an error when cfg has no Backend or a
// batch limit out of range.
func New(cfg Config) (*Server, error) {
	if cfg.Backend == nil {
		return nil, errors.New("server: no backend configured")
	}
	s := &Server{
		backend:  cfg.Backend,
		log:      cfg.Logger,
		now:      cfg.Now,
		maxBatch: cfg.MaxBatchBytes,
		grace:    cfg.ShutdownGrace,
		health:   health.NewServer(),
	}
	if cfg.RegisterToken != "" {
		sum := sha256.Sum256([]byte(cfg.RegisterToken))
		s.token = sum[:]
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxBatch == 0 {
		s.maxBatch = DefaultMaxBatchBytes
	}
	if s.maxBatch < 0 || s.maxBatch > envelope.MaxSize {
		return nil, errors.New("server: the batch limit must be between 1 byte and envelope.MaxSize")
	}
	if s.grace == 0 {
		s.grace = DefaultShutdownGrace
	}
	s.limits = cfg.Limits.withDefaults()
	s.failures = newThrottle(s.limits, s.now)
	s.open = newAdmission(s.limits)
	return s, nil
}

// GRPCServer returns a gRPC server with the Sync, health and reflection
// services registered, message limits set from the batch limit, the tap
// that refuses unauthenticated calls before their bodies are read, the
// connection limits of Config.Limits, and every call guarded against
// damaged storage; opts add to them (TLS credentials, for one).
func (s *Server) GRPCServer(opts ...grpc.ServerOption) *grpc.Server {
	limits := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(s.maxBatch + messageOverhead),
		grpc.MaxSendMsgSize(envelope.MaxSize + messageOverhead),
		// Fixed flow-control windows turn off gRPC's bandwidth probing,
		// whose pings cost a slow link bytes on every exchange.
		grpc.InitialWindowSize(1 << 20), grpc.InitialConnWindowSize(1 << 20),
		grpc.InTapHandle(s.tap),
		grpc.MaxConcurrentStreams(s.limits.MaxStreams),
		grpc.MaxHeaderListSize(maxHeaderList),
		grpc.ChainUnaryInterceptor(s.throttleUnary, s.guardUnary, s.headerAuthUnary),
		grpc.ChainStreamInterceptor(s.throttleStream, s.guardStream, s.headerAuthStream),
	}
	g := grpc.NewServer(append(limits, opts...)...)
	wire.RegisterSyncServer(g, s)
	s.registerInvites(g)
	s.registerDocuments(g)
	healthpb.RegisterHealthServer(g, s.health)
	reflection.Register(g)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(wire.Sync_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	return g
}

// Serve answers on lis until ctx ends, then stops gracefully: health turns
// NOT_SERVING, new calls are refused, and calls in flight (a push being
// stored) finish, for at most the shutdown grace, after which they are
// cut. It returns nil after a stop that ctx asked for.
func (s *Server) Serve(ctx context.Context, lis net.Listener, opts ...grpc.ServerOption) error {
	g := s.GRPCServer(opts...)
	served := make(chan error, 1)
	go func() { served <- g.Serve(lis) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.grace)
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() {
		g.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(s.grace)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		s.log.Warn("calls still running after the grace period; cutting them")
		g.Stop()
		<-stopped
	}
	<-served
	return nil
}
