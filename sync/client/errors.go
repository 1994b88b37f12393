package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/core"
)

// The client's errors carry their class (core.Describe, exit codes): a
// server that refuses this workstation or does not know it is an
// authentication problem (exit 2), every other failure a sync problem
// (exit 4).
var (
	// ErrUnreachable is returned when the server cannot be reached or does
	// not answer in time: no route, connection refused or cut, a stalled
	// link, a failed TLS handshake.
	ErrUnreachable = core.NewError(core.ClassSync, "client: cannot reach the sync server")
	// ErrRefused is returned when the server refuses this workstation: an
	// unknown or revoked device, a wrong registration token, a request it
	// cannot authenticate (a workstation clock far off, say).
	ErrRefused = core.NewError(core.ClassAuth, "client: the sync server refused this workstation")
	// ErrRejected is returned when the server refuses a request as
	// invalid, too large or out of order.
	ErrRejected = core.NewError(core.ClassSync, "client: the sync server rejected the request")
	// ErrServerFailed is returned when the server failed with an internal
	// error; the request may be retried.
	ErrServerFailed = core.NewError(core.ClassSync, "client: the sync server failed")
	// ErrNotRegistered is returned when the server does not know this
	// organisation or device and the client cannot register it: no
	// registration token for the first workstation, or not an admin to add
	// this one.
	ErrNotRegistered = core.NewError(core.ClassAuth, "client: this workstation is not registered with the sync server")
	// ErrBadBatch is returned when a pulled batch does not verify or open:
	// altered, signed by the wrong key, sealed under an unknown key, or not
	// what its header says. Nothing of it is applied and the pull stops
	// before it.
	ErrBadBatch = core.NewError(core.ClassSync, "client: a pulled batch does not verify")
	// ErrUnknownDevice is returned when a pulled batch comes from a device
	// the organisation's device list does not hold with a record the org
	// root key endorsed.
	ErrUnknownDevice = core.NewError(core.ClassSync, "client: a pulled batch is from a device the organisation does not endorse")
	// ErrStoreBehind is returned when the server holds changes of this
	// device that its store did not make: another store syncs under the
	// same device ID (a cloned disk, a backup restored on a second
	// machine), or this one is an older copy. Pushing would reuse
	// sequence numbers; `clinic sync new-device` gives this store a
	// device of its own.
	ErrStoreBehind = core.NewError(core.ClassSync, "client: another store syncs under this workstation's device ID (a copy of this store, or this one is an older copy); run clinic sync new-device on this workstation to make it a device of its own, keeping its changes")
	// ErrServerLost is returned when the server lost changes (restored
	// from an older copy) that no workstation syncing now keeps.
	ErrServerLost = core.NewError(core.ClassSync, "client: the sync server lost changes")
)

// rpcError is a failed call as the client reports it: which kind of
// failure (one of the errors above), the gRPC code for retry decisions,
// and the server's message.
type rpcError struct {
	kind error
	code codes.Code
	addr string
	msg  string
}

func (e *rpcError) Error() string {
	switch e.kind {
	case ErrUnreachable:
		return fmt.Sprintf("%v at %s: %s", e.kind, e.addr, e.msg)
	case ErrRefused:
		return fmt.Sprintf("client: the sync server at %s refused this workstation: %s", e.addr, e.msg)
	case ErrRejected:
		return fmt.Sprintf("client: the sync server at %s rejected the request: %s", e.addr, e.msg)
	}
	return fmt.Sprintf("client: the sync server at %s failed: %s", e.addr, e.msg)
}

func (e *rpcError) Unwrap() error { return e.kind }

// codeOf returns the gRPC code of a failed call, codes.Unknown for other
// errors and codes.OK for nil.
func codeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	var r *rpcError
	if errors.As(err, &r) {
		return r.code
	}
	return codes.Unknown
}

// transient reports whether a failed step may succeed when tried again:
// the link failed or the server had a passing problem.
func transient(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrServerFailed)
}

// translate turns the error of a call to the server into an rpcError. It
// returns the context's error when the caller's context ended; timeout
// names the call's own limit, for the message when it ran out.
func translate(ctx context.Context, err error, addr string, timeout time.Duration) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	st, _ := status.FromError(err)
	msg := strings.TrimPrefix(st.Message(), "server: ")
	e := &rpcError{code: st.Code(), addr: addr, msg: msg}
	switch st.Code() {
	case codes.Unavailable:
		e.kind, e.msg = ErrUnreachable, linkCause(msg)
	case codes.DeadlineExceeded, codes.Canceled:
		// Canceled with the caller's context alive is the client's own
		// watchdog on a stalled stream.
		e.kind, e.code, e.msg = ErrUnreachable, codes.DeadlineExceeded, fmt.Sprintf("no answer within %s", timeout)
	case codes.Unauthenticated, codes.PermissionDenied:
		e.kind = ErrRefused
	case codes.Internal, codes.Unknown, codes.Aborted, codes.DataLoss:
		e.kind = ErrServerFailed
	default:
		e.kind = ErrRejected
	}
	return e
}

// linkCause shortens gRPC's account of a failed connection to its last
// part: "connection refused", "no such host", "certificate signed by
// unknown authority".
func linkCause(msg string) string {
	msg = strings.TrimRight(strings.TrimSpace(msg), `"`)
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	msg = strings.Trim(msg, `" `)
	if msg == "" {
		return "the connection failed"
	}
	return msg
}

// reason is an error of another package as the end of a sentence, without
// the package's prefix.
func reason(err error) string {
	msg := err.Error()
	for _, p := range []string{"envelope: ", "store: ", "auth: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}
