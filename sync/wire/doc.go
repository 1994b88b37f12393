// Package wire is the sync protocol's wire format: sync.proto and the Go code
// protoc generates from it (committed), plus the Request interface that lets
// medisecure/sync/auth sign any request.
//
// Wire types stay at the protocol's edge: sync/server converts them to its
// own types (toWire/fromWire) and sync/envelope never sees them. Nothing
// outside sync/ imports this package except a sync client.
//
// It must import only the standard library and the protobuf and gRPC
// runtimes: no core, store, tui, or other sync package.
package wire
