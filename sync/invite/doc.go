// Package invite is how a new workstation joins an organisation: the
// one-time join code an admin reads out or sends to the new machine's
// operator (Code), and the invitation it unlocks (Invitation), sealed so
// that the sync server, which relays it, cannot read it.
//
// A join code carries the sync server's address, a 32-byte random secret
// and the first 16 bytes of the SHA-256 of the org root public key, with a
// checksum, written in Crockford's base32 in groups of four. The server
// keeps the sealed invitation under an ID derived from the secret
// (Code.InviteID); the key that seals it is derived from the secret too
// (HKDF-SHA256), so only a holder of the code can open it. The root
// fingerprint pins the organisation: a joining workstation refuses an
// invitation whose root key does not match the code.
//
// It may import the standard library, golang.org/x/crypto and store (whose
// types a joining store is made of); never gRPC, the wire types, the server,
// core directly, or tui.
package invite
