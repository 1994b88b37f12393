// Package tui is the workstation's terminal interface: Bubble Tea screens for
// login, the day schedule, patient search and registration, booking,
// check-in, conflicts and sync status.
//
// It talks to core and to the Backend interface it declares, which the store
// satisfies. It must not import bbolt, gRPC or the store package; the
// dependency test in the project root fails when it does.
package tui
