// Package storetest is the conformance suite of the workstation's session
// ports: one set of tests that runs on the real store (from store's tests)
// and on every fake the TUI tests use, so that a fake cannot drift from the
// store it stands in for.
//
// The suite is written against small interfaces of core types, the same
// shape as the TUI's ports (patients, appointments, schedules); an
// implementation passes an Env holding what it has, and the groups whose
// port is missing are skipped with a message saying so.
//
// It imports only core, testing and the standard library, so a TUI test may
// import it (deps_test.go allows exactly that, for _test files only).
package storetest
