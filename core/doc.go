// Package core is the domain of MediSecure Workstation: entities and their
// validation, status machines, scheduling and conflict rules, permissions, the
// change model with its deterministic merge, and the hybrid logical clock.
//
// It is pure: it imports only the standard library and golang.org/x/crypto.
// It never does I/O and must not import bbolt, gRPC or Bubble Tea; the
// dependency test in the project root fails when it does.
package core
