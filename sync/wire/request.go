package wire

import "google.golang.org/protobuf/proto"

// Request is a request message of the Sync service: every one carries an
// Auth, which medisecure/sync/auth signs and verifies.
type Request interface {
	proto.Message
	GetAuth() *Auth
	SetAuth(*Auth)
}

// Every request of the service is a Request.
var (
	_ Request = (*RegisterRequest)(nil)
	_ Request = (*PushRequest)(nil)
	_ Request = (*PullRequest)(nil)
	_ Request = (*AddDeviceRequest)(nil)
	_ Request = (*RevokeDeviceRequest)(nil)
	_ Request = (*DevicesRequest)(nil)
)

// SetAuth replaces the request's Auth.
func (r *RegisterRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *PushRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *PullRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *AddDeviceRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *RevokeDeviceRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *DevicesRequest) SetAuth(a *Auth) { r.Auth = a }
