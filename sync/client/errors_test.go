package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"medisecure/core"
)

// Every failure of a call reaches the person through core.Describe: one
// sentence without the package's prefix, with the exit code of its class
// (a refusal is an authentication problem, the rest sync problems).
func TestCallErrorsAreDescribed(t *testing.T) {
	for _, tc := range []struct {
		code codes.Code
		is   error
		exit int
	}{
		{codes.Unavailable, ErrUnreachable, 4},
		{codes.DeadlineExceeded, ErrUnreachable, 4},
		{codes.PermissionDenied, ErrRefused, 2},
		{codes.Unauthenticated, ErrRefused, 2},
		{codes.Internal, ErrServerFailed, 4},
		{codes.InvalidArgument, ErrRejected, 4},
	} {
		err := translate(context.Background(), status.Error(tc.code, "server: device revoked"), "127.0.0.1:1", time.Second)
		if !errors.Is(err, tc.is) {
			t.Errorf("%v: %v is not %v", tc.code, err, tc.is)
		}
		msg, exit := core.Describe(err, time.UTC)
		if exit != tc.exit {
			t.Errorf("%v: exit %d, want %d (%q)", tc.code, exit, tc.exit, msg)
		}
		if strings.Contains(msg, "client:") || strings.Contains(msg, "server:") {
			t.Errorf("%v: %q shows a package prefix", tc.code, msg)
		}
	}
	for _, err := range []error{ErrNotRegistered, ErrBadBatch, ErrUnknownDevice, ErrStoreBehind, ErrServerLost} {
		if core.ClassOf(err) == core.ClassUnknown {
			t.Errorf("%v has no class", err)
		}
	}
}
