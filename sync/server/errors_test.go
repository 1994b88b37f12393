package server

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/sync/auth"
	"medisecure/sync/envelope"
)

func TestCodeOf(t *testing.T) {
	tests := []struct {
		err  error
		code codes.Code
	}{
		{nil, codes.OK},
		{fmt.Errorf("%w: replayed", ErrUnauthenticated), codes.Unauthenticated},
		{fmt.Errorf("x: %w", ErrRevoked), codes.PermissionDenied},
		{ErrBadToken, codes.PermissionDenied},
		{fmt.Errorf("revocation: %w", auth.ErrBadSignature), codes.PermissionDenied},
		{ErrOrgExists, codes.AlreadyExists},
		{ErrUnknownDevice, codes.NotFound},
		{ErrStaleEpoch, codes.FailedPrecondition},
		{ErrSeqConflict, codes.FailedPrecondition},
		{envelope.ErrTooLarge, codes.ResourceExhausted},
		{ErrTooLarge, codes.ResourceExhausted},
		{envelope.ErrBadSignature, codes.InvalidArgument},
		{envelope.ErrMalformed, codes.InvalidArgument},
		{errors.New("disk on fire at /var/lib/syncd"), codes.Internal},
	}
	for _, tt := range tests {
		if got := codeOf(tt.err); got != tt.code {
			t.Errorf("codeOf(%v) = %s, want %s", tt.err, got, tt.code)
		}
	}
}

func TestInternalErrorsRevealNothing(t *testing.T) {
	err := toStatus(errors.New("boltstore: opening /var/lib/syncd/syncd.db: disk on fire"))
	if status.Code(err) != codes.Internal || strings.Contains(err.Error(), "/var/lib") {
		t.Fatalf("an internal error reaches the client as %v", err)
	}
}
