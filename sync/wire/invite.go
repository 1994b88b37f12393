package wire

// PutInviteRequest is the one request of the Invites service that carries
// an Auth: Take is made by a workstation that has no device key yet.
var _ Request = (*PutInviteRequest)(nil)

// SetAuth replaces the request's Auth.
func (r *PutInviteRequest) SetAuth(a *Auth) { r.Auth = a }
