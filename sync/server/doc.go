// Package server is the central sync server: the gRPC Sync service, which
// authenticates devices, checks signatures, and files and relays sealed
// batches through a Backend, plus the health and reflection services.
//
// Handlers validate, delegate to the Backend and translate errors to gRPC
// status codes through one table (errors.go). Wire types are converted at
// the edge (convert.go); the Backend speaks this package's own types. The
// server never holds an org key or plaintext: it sees headers, signatures
// and ciphertext, and logs only org, device, sequences, sizes and times.
//
// It may import core, store, the other sync packages, gRPC and protobuf;
// never tui or a particular backend (backends import this package).
package server
