// Package envelope is the end-to-end crypto of sync batches, independent of
// gRPC and of any storage: Seal turns a device's changes into a Batch that
// the server can verify (Verify, with the device's public key only) but not
// read, and Open turns it back into changes on another workstation that
// holds the org key of the batch's epoch. Marshal and Unmarshal are the
// batch's byte form, which the server stores and relays as it is.
//
// A batch is JSON-encoded changes, zstd-compressed, sealed with
// XChaCha20-Poly1305 under the org key (the header is associated data) and
// signed with the device's Ed25519 key over header, nonce and ciphertext.
// A batch may also carry the key directory's entries beside its changes
// (Payload, SealPayload, OpenPayload), so that users travel the same way.
//
// It may import core and the standard library, golang.org/x/crypto and
// klauspost/compress; never gRPC, the wire package, store, tui or any
// server code.
package envelope
