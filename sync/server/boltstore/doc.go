// Package boltstore is the default sync server Backend: one bbolt file
// holding organisations, devices, each organisation's log of sealed
// batches and recent request nonces. It stores ciphertext and public keys
// only; nothing in it can be read as patient data.
//
// It may import the server package (for the Backend contract), bbolt and
// the standard library; never core, store, tui, gRPC or the envelope crypto.
package boltstore
