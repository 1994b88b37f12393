// Package sim holds the deterministic simulation of sync (sim_test.go):
// several workstations with real stores edit offline and online in turns
// against a real sync server behind a fault layer that drops, loses the
// answer to, tampers with and deletes batches, is restored from earlier
// snapshots of its file, and sees clocks skew within and beyond the
// bound. After the faults heal, every workstation must export the same
// records, hold every change a user saw succeed, and quarantine nothing
// but what the simulation made bad on purpose.
//
// `go test ./sync/sim` runs 1,000 seeds (30 under -race, as make test
// runs them both ways), and the seeds beyond those that once failed
// (regressions in sim_test.go); -seeds N runs more (make sim
// SEEDS=100000), -seed N replays one, and -seed N -calls replays it
// with every call and fault in the steps. The package has no code of
// its own besides its tests; it may import the standard library, gRPC,
// core, store and the sync packages, never tui.
package sim
