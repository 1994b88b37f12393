package server

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/sync/auth"
	"medisecure/sync/envelope"
)

// Errors of the server's own checks; the Backend's are in backend.go.
var (
	// ErrUnauthenticated is returned when a request's caller cannot be
	// established: malformed auth, unknown organisation or device, a bad
	// signature, a time too far from the server's clock, or a replayed
	// nonce.
	ErrUnauthenticated = errors.New("server: request not authenticated")
	// ErrBadToken is returned when a registration carries the wrong
	// token.
	ErrBadToken = errors.New("server: wrong registration token")
	// ErrRegistrationClosed is returned when the server was started
	// without a registration token.
	ErrRegistrationClosed = errors.New("server: this server does not register organisations")
	// ErrInvalid is returned when a request is malformed.
	ErrInvalid = errors.New("server: invalid request")
	// ErrTooLarge is returned when a batch exceeds the server's limit.
	ErrTooLarge = errors.New("server: batch too large")
	// ErrDamaged is returned when the data a call needs is damaged in
	// the server's storage, or reading it failed in a way only damage
	// explains. The call fails; others go on.
	ErrDamaged = errors.New("server: stored data damaged")
)

// codeTable maps errors to gRPC status codes; the first match wins. Errors it
// does not know become codes.Internal with a message that reveals nothing.
var codeTable = []struct {
	err  error
	code codes.Code
}{
	{ErrUnauthenticated, codes.Unauthenticated},
	{ErrRevoked, codes.PermissionDenied},
	{ErrBadToken, codes.PermissionDenied},
	{ErrRegistrationClosed, codes.PermissionDenied},
	{auth.ErrBadSignature, codes.PermissionDenied},
	{auth.ErrCertExpired, codes.PermissionDenied},
	{ErrOrgExists, codes.AlreadyExists},
	{ErrDeviceExists, codes.AlreadyExists},
	{ErrUnknownOrg, codes.NotFound},
	{ErrUnknownDevice, codes.NotFound},
	{ErrUnknownInvite, codes.NotFound},
	{ErrInviteExists, codes.AlreadyExists},
	{ErrTooManyInvites, codes.ResourceExhausted},
	{ErrInviteTooLarge, codes.ResourceExhausted},
	{ErrUnknownPiece, codes.NotFound},
	{ErrPieceCount, codes.InvalidArgument},
	{ErrPieceTooLarge, codes.ResourceExhausted},
	{ErrStaleEpoch, codes.FailedPrecondition},
	{ErrSeqConflict, codes.FailedPrecondition},
	{ErrSeqGap, codes.OutOfRange},
	{ErrTooLarge, codes.ResourceExhausted},
	{envelope.ErrTooLarge, codes.ResourceExhausted},
	{ErrInvalid, codes.InvalidArgument},
	{auth.ErrMalformed, codes.InvalidArgument},
	{envelope.ErrMalformed, codes.InvalidArgument},
	{envelope.ErrBadSignature, codes.InvalidArgument},
	{ErrDamaged, codes.DataLoss},
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
}

// internalMessage is all a client learns of an unexpected failure, and
// damagedMessage of damaged storage; the server logs the rest.
const (
	internalMessage = "server: internal error; the request may be retried"
	damagedMessage  = "server: the server's stored data for this request is damaged; its operator must run syncd check and restore the data file from a backup"
)

// codeOf returns the status code for err.
func codeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	for _, e := range codeTable {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return codes.Internal
}

// toStatus turns a handler's error into the gRPC status a client sees.
func toStatus(err error) error {
	code := codeOf(err)
	switch code {
	case codes.OK:
		return nil
	case codes.Internal:
		return status.Error(code, internalMessage)
	case codes.DataLoss:
		return status.Error(code, damagedMessage)
	}
	return status.Error(code, err.Error())
}
