// Package store keeps the workstation's data in one bbolt file, sealed at
// rest: records and their merge state, the outbox of local changes, indexes
// that hold no PHI in clear, the hash-chained PHI access log and the local
// part of the key directory.
//
// It speaks core types and checks every operation with core.Authorize. It
// must not import tui or any sync package; the dependency test in the
// project root fails when it does.
package store
