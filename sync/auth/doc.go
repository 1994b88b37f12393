// Package auth signs and verifies what the sync protocol trusts: the Auth
// every request carries (Sign, Verify), and the statements that change an
// organisation's devices — device records and revocations, endorsed by the
// org root key or by an admin the root certified (CertifyAdmin,
// SignDevice, SignRevocation, VerifyDevice, VerifyRevocation).
//
// Both the server and a sync client use it, so both build the signed bytes
// the same way. It works on wire types by design: it is the protocol's
// signing layer. It may import the standard library, protobuf and
// medisecure/sync/wire; never core, store, tui, gRPC or the server.
package auth
