package server

import (
	"context"
	"fmt"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A Backend may read its storage through a memory map (bbolt does), where
// a damaged page is a fault the runtime cannot recover from unless the
// goroutine asked for a panic instead. Every call therefore runs with
// faults turned into panics and every panic into an error for that call
// alone: a damaged organisation fails, the process and the others go on.

// guarded runs fn with faults on mapped memory reported as panics and
// returns any panic as ErrDamaged, logged for the operator.
func (s *Server) guarded(method string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error(method, "code", codes.DataLoss.String(), "error", fmt.Sprint("panic: ", r))
			err = status.Error(codes.DataLoss, damagedMessage)
		}
	}()
	return fn()
}

// guardUnary is the unary interceptor that runs each call guarded.
func (s *Server) guardUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	err = s.guarded(info.FullMethod, func() error {
		var herr error
		resp, herr = handler(ctx, req)
		return herr
	})
	return resp, err
}

// guardStream is the stream interceptor that runs each call guarded.
func (s *Server) guardStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return s.guarded(info.FullMethod, func() error { return handler(srv, ss) })
}
