package server

import (
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"

	"medisecure/sync/wire"
)

// call is one request being handled, for its log line. What it logs is for
// operators: organisation, device, sequences, sizes, times and outcome,
// never a batch's content or a token.
type call struct {
	log    *slog.Logger
	method string
	start  time.Time
	attrs  []any
}

// begin starts the log line of a call of method with the caller a claims.
func (s *Server) begin(method string, a *wire.Auth) *call {
	return &call{
		log:    s.log,
		method: method,
		start:  time.Now(),
		attrs:  []any{"org", a.GetOrgId(), "device", a.GetDeviceId()},
	}
}

// add appends key-value pairs to the call's log line.
func (c *call) add(kv ...any) { c.attrs = append(c.attrs, kv...) }

// finish logs the call and returns its response, or its error as a gRPC
// status.
func finish[T any](c *call, resp T, err error) (T, error) {
	code := codeOf(err)
	attrs := append(c.attrs, "code", code.String(), "ms", time.Since(c.start).Milliseconds())
	switch {
	case err == nil:
		c.log.Info(c.method, attrs...)
		return resp, nil
	case code == codes.Internal, code == codes.DataLoss:
		c.log.Error(c.method, append(attrs, "error", err.Error())...)
	default:
		c.log.Warn(c.method, append(attrs, "error", err.Error())...)
	}
	var zero T
	return zero, toStatus(err)
}
